"""URLs of the audit module (mounted at /revision/)."""

from django.urls import URLPattern, path

from audits import views

app_name = "audits"

_ROUND = "<int:pk>/rounds/<int:round_id>/"

urlpatterns: list[URLPattern] = [
    path("", views.audit_list, name="audit_list"),
    path("new/", views.audit_create, name="audit_create"),
    path("<int:pk>/", views.audit_detail, name="audit_detail"),
    path("<int:pk>/edit/", views.audit_edit, name="audit_edit"),
    path("<int:pk>/questions/new/", views.question_add, name="question_add"),
    path("<int:pk>/questions/<int:item_id>/edit/", views.question_edit, name="question_edit"),
    path("<int:pk>/recommendations/new/", views.recommendation_add, name="recommendation_add"),
    path(
        "<int:pk>/recommendations/<int:item_id>/edit/",
        views.recommendation_edit,
        name="recommendation_edit",
    ),
    path("<int:pk>/responses/new/", views.response_add, name="response_add"),
    path(
        "<int:pk>/recommendations/<int:item_id>/measures/new/",
        views.measure_add,
        name="measure_add",
    ),
    path("<int:pk>/measures/<int:item_id>/edit/", views.measure_edit, name="measure_edit"),
    path(
        "<int:pk>/recommendations/<int:item_id>/evidence/new/",
        views.recommendation_evidence_add,
        name="recommendation_evidence_add",
    ),
    path(
        "<int:pk>/measures/<int:item_id>/evidence/new/",
        views.measure_evidence_add,
        name="measure_evidence_add",
    ),
    path("<int:pk>/evidence/<int:item_id>/file/", views.evidence_file, name="evidence_file"),
    path("<int:pk>/rounds/new/", views.round_create, name="round_create"),
    path(_ROUND, views.round_detail, name="round_detail"),
    path(_ROUND + "edit/", views.round_edit, name="round_edit"),
    path(
        _ROUND + "recommendations/<int:item_id>/",
        views.round_assess,
        name="round_assess",
    ),
    path(_ROUND + "questions/<int:item_id>/", views.round_question, name="round_question"),
    path(_ROUND + "finish/", views.round_finish, name="round_finish"),
    path(_ROUND + "report/", views.report, name="report"),
    path(_ROUND + "report/pdf/request/", views.report_pdf_request, name="report_pdf_request"),
    path(_ROUND + "report/pdf/status/", views.report_pdf_status, name="report_pdf_status"),
    path(_ROUND + "report/pdf/", views.report_pdf, name="report_pdf"),
]
