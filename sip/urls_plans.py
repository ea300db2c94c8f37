"""The plan pages (filled by the plan pages work)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
