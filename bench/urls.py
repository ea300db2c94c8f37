"""The benchmark's reference pages (404 unless BENCH_REFERENCES is on; see bench/views.py)."""

from django.urls import path

from bench import views

app_name = "bench"

urlpatterns = [
    path("hello/", views.hello, name="hello"),
    path("q/", views.query, name="query"),
    path("tpl/", views.table, name="table"),
]
