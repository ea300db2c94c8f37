"""Addresses of the board report (återrapportering), included at ``aterrapportering/``."""

from django.urls import path

from followup import board_views as views

app_name = "followup_board"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("ny/", views.report_create, name="create"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/status/", views.report_progress, name="progress"),
    path("<int:pk>/kommentar/", views.report_comment, name="comment"),
    path("<int:pk>/skapa-igen/", views.report_regenerate, name="regenerate"),
    path("<int:pk>/skapa-pdf-igen/", views.report_remake_pdf, name="remake_pdf"),
    path("<int:pk>/publicera/", views.report_publish, name="publish"),
    path("<int:pk>/pdf/", views.report_pdf, name="pdf"),
]
