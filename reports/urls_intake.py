"""URLs of the intake side of reports of concern (names in the "reports" namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
