"""URLs of the intake side of reports of concern (names in the "reports" namespace)."""

from django.urls import URLPattern, path

from reports import views_intake, views_registration, views_worklist

urlpatterns: list[URLPattern] = [
    path("intake/", views_intake.inbox, name="inbox"),
    path("intake/deadlines/", views_intake.deadline_settings, name="deadline_settings"),
    path("intake/search/", views_worklist.intake_search, name="intake_search"),
    path("intake/register/", views_registration.intake_register, name="intake_register"),
    path("intake/<uuid:public_id>/", views_intake.intake_detail, name="intake_detail"),
    path("intake/<uuid:public_id>/print/", views_intake.intake_print, name="intake_print"),
    path(
        "intake/<uuid:public_id>/owner/",
        views_worklist.intake_assign,
        name="intake_assign",
    ),
    path(
        "intake/<uuid:public_id>/steps/<slug:step>/",
        views_intake.intake_step,
        name="intake_step",
    ),
]
