"""Network meetings and the printable plan for the family."""

from django.urls import URLPattern, path

from sip import views_feedback
from sip import views_meetings as views

urlpatterns: list[URLPattern] = [
    path("<uuid:public_id>/moten/", views.meeting_list, name="meetings"),
    path("<uuid:public_id>/moten/ny/", views.meeting_create, name="meeting_create"),
    path("<uuid:public_id>/moten/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("<uuid:public_id>/for-familjen/", views.family_plan, name="family_plan"),
    path("<uuid:public_id>/for-familjen/pdf/", views.family_pdf_request, name="family_pdf_request"),
    path("<uuid:public_id>/for-familjen/pdf/hamta/", views.family_pdf, name="family_pdf"),
    # Feedback in own words on a report, with the guardians' consent (the intake).
    path(
        "anmalan/<uuid:public_id>/samtycke/ny/",
        views_feedback.report_consent_create,
        name="report_consent_create",
    ),
    path(
        "anmalan/<uuid:public_id>/samtycke/<int:consent_id>/aterkalla/",
        views_feedback.report_consent_withdraw,
        name="report_consent_withdraw",
    ),
    path(
        "anmalan/<uuid:public_id>/aterkoppling/",
        views_feedback.report_feedback_message,
        name="report_feedback_message",
    ),
]
