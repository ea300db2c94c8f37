"""URLs of the school side of reports of concern (names in the "reports" namespace)."""

from django.urls import URLPattern, path

from reports import views_school

urlpatterns: list[URLPattern] = [
    path("new/", views_school.new, name="new"),
    path("drafts/<uuid:public_id>/", views_school.draft_edit, name="draft_edit"),
    path("drafts/<uuid:public_id>/autosave/", views_school.draft_autosave, name="draft_autosave"),
    path("drafts/<uuid:public_id>/delete/", views_school.draft_delete, name="draft_delete"),
    path("mine/", views_school.my_reports, name="my_reports"),
    path("status/<uuid:public_id>/", views_school.status, name="status"),
    path("status/<uuid:public_id>/receipt/", views_school.receipt, name="receipt"),
    path("status/<uuid:public_id>/supplement/", views_school.supplement, name="supplement"),
    path("school/", views_school.school_reports, name="school_reports"),
    path(
        "files/<uuid:public_id>/<int:attachment_id>/",
        views_school.attachment,
        name="attachment",
    ),
]
