"""The plan pages: the list, starting and proposing a plan, the plan page and its parts. URLs
carry the plan's ``public_id``, never a name."""

from django.urls import URLPattern, path

from sip import views_parts, views_plans, views_proposals

urlpatterns: list[URLPattern] = [
    path("", views_plans.plan_list, name="plan_list"),
    path("ny/", views_plans.plan_start, name="plan_start"),
    path("foresla/", views_proposals.plan_propose, name="plan_propose"),
    path("forslag/<uuid:public_id>/", views_proposals.proposal_detail, name="proposal_detail"),
    path(
        "forslag/<uuid:public_id>/ta-upp/",
        views_proposals.proposal_accept,
        name="proposal_accept",
    ),
    path(
        "forslag/<uuid:public_id>/avboj/",
        views_proposals.proposal_decline,
        name="proposal_decline",
    ),
    path("plan/<uuid:public_id>/", views_plans.plan_detail, name="plan_detail"),
    path("plan/<uuid:public_id>/historik/", views_plans.plan_history, name="plan_history"),
    path("plan/<uuid:public_id>/andra/", views_plans.plan_edit, name="plan_edit"),
    path("plan/<uuid:public_id>/aktivera/", views_plans.plan_activate, name="plan_activate"),
    path("plan/<uuid:public_id>/avsluta/", views_plans.plan_close, name="plan_close"),
    path(
        "plan/<uuid:public_id>/deltagare/ny/",
        views_parts.participant_add,
        name="participant_add",
    ),
    path(
        "plan/<uuid:public_id>/deltagare/<int:participant_id>/ta-bort/",
        views_parts.participant_remove,
        name="participant_remove",
    ),
    path("plan/<uuid:public_id>/insatser/ny/", views_parts.action_form, name="action_add"),
    path(
        "plan/<uuid:public_id>/insatser/<int:action_id>/",
        views_parts.action_form,
        name="action_edit",
    ),
    path(
        "plan/<uuid:public_id>/samtycken/nytt/",
        views_parts.consent_record,
        name="consent_record",
    ),
    path(
        "plan/<uuid:public_id>/samtycken/<uuid:consent_id>/aterkalla/",
        views_parts.consent_withdraw,
        name="consent_withdraw",
    ),
]
