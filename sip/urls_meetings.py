"""Network meetings and the printable plan for the family."""

from django.urls import URLPattern, path

from sip import views_meetings as views

urlpatterns: list[URLPattern] = [
    path("<uuid:public_id>/moten/", views.meeting_list, name="meetings"),
    path("<uuid:public_id>/moten/ny/", views.meeting_create, name="meeting_create"),
    path("<uuid:public_id>/moten/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("<uuid:public_id>/for-familjen/", views.family_plan, name="family_plan"),
]
