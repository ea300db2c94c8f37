"""The results and analysis of survey rounds, under /enkater/resultat/."""

from django.urls import path

from surveys import views_results as views
from surveys import views_results_analysis as analysis

app_name = "survey_results"

urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("<int:pk>/", views.round_results, name="round_results"),
    path("<int:pk>/resultat.csv", views.export_csv, name="export_csv"),
    path("<int:pk>/resultat.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<int:pk>/fritext/", views.free_texts, name="free_texts"),
    path("fritext/<int:pk>/ta-bort/", views.free_text_remove, name="free_text_remove"),
    path("<int:pk>/analys/", analysis.analysis, name="analysis"),
    path("<int:pk>/analys/andra/", analysis.analysis_edit, name="analysis_edit"),
    path("<int:pk>/prioriteringar/ny/", analysis.priority_create, name="priority_create"),
    path("prioriteringar/<int:pk>/andra/", analysis.priority_edit, name="priority_edit"),
    path("prioriteringar/<int:pk>/ta-bort/", analysis.priority_delete, name="priority_delete"),
    path("prioriteringar/<int:pk>/flytta/", analysis.priority_reorder, name="priority_reorder"),
    path("prioriteringar/<int:pk>/resursradet/", analysis.priority_send, name="priority_send"),
    path("prioriteringar/<int:pk>/beslut/", analysis.priority_decision, name="priority_decision"),
]
