"""URLs of the follow-up (mounted at /uppfoljning/)."""

from django.urls import URLPattern, path

from followup import views

app_name = "followup"

urlpatterns: list[URLPattern] = [
    path("", views.dashboard_page, name="dashboard"),
    path("indikatorer/", views.catalogue_page, name="catalogue"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("mal/", views.targets_page, name="targets"),
    path("jamforelse/", views.comparison_page, name="comparison"),
]
