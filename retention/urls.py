from django.urls import path

from retention import views

app_name = "retention"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("regler/<str:record_type>/", views.rule_edit, name="rule_edit"),
    path("forslag/<str:record_type>/", views.proposal, name="proposal"),
    path("beslut/<uuid:public_id>/", views.decision, name="decision"),
]
