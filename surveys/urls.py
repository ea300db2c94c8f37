"""The coordinator's survey pages (``/enkater/``); the public answer pages are in
``surveys.urls_public`` (``/svar/``)."""

from django.urls import path

from surveys import views, views_rounds

app_name = "surveys"

urlpatterns = [
    path("", views_rounds.round_list, name="round_list"),
    path("omgang/ny/", views_rounds.round_create, name="round_create"),
    path("omgang/<int:pk>/", views_rounds.round_detail, name="round"),
    path("omgang/<int:pk>/andra/", views_rounds.round_edit, name="round_edit"),
    path("omgang/<int:pk>/analysgrupp/", views_rounds.analysis_group, name="analysis_group"),
    path("omgang/<int:pk>/mottagare/", views_rounds.recipients, name="recipients"),
    path("omgang/<int:pk>/skicka/", views_rounds.round_send, name="round_send"),
    path("omgang/<int:pk>/stang/", views_rounds.round_close, name="round_close"),
    path("omgang/<int:pk>/paminn/", views_rounds.round_remind, name="round_remind"),
    path("mallar/", views.template_list, name="template_list"),
    path("mallar/ny/", views.template_create, name="template_create"),
    path("mallar/hamta/<slug:key>/", views.builtin_fetch, name="builtin_fetch"),
    path("mallar/<int:pk>/", views.template_detail, name="template"),
    path("mallar/<int:pk>/ny-version/", views.version_new, name="version_new"),
    path("mallar/<int:pk>/version/<int:version_pk>/", views.version_detail, name="version"),
    path(
        "mallar/<int:pk>/version/<int:version_pk>/forhandsvisning/",
        views.version_preview,
        name="version_preview",
    ),
    path(
        "mallar/<int:pk>/version/<int:version_pk>/nytt-avsnitt/",
        views.section_edit,
        name="section_create",
    ),
    path("mallar/<int:pk>/avsnitt/<int:section_pk>/", views.section_edit, name="section_edit"),
    path(
        "mallar/<int:pk>/avsnitt/<int:section_pk>/ta-bort/",
        views.section_delete,
        name="section_delete",
    ),
    path(
        "mallar/<int:pk>/avsnitt/<int:section_pk>/flytta/",
        views.section_move,
        name="section_move",
    ),
    path(
        "mallar/<int:pk>/avsnitt/<int:section_pk>/ny-fraga/",
        views.question_edit,
        name="question_create",
    ),
    path("mallar/<int:pk>/fraga/<int:question_pk>/", views.question_edit, name="question_edit"),
    path(
        "mallar/<int:pk>/fraga/<int:question_pk>/ta-bort/",
        views.question_delete,
        name="question_delete",
    ),
    path(
        "mallar/<int:pk>/fraga/<int:question_pk>/flytta/",
        views.question_move,
        name="question_move",
    ),
]
