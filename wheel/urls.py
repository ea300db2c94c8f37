"""URLs of the annual wheel (names in the "wheel" namespace): series and occurrences here, the
wheel's picture, list and month views, coverage and calendar feeds in ``urls_calendar``."""

from django.urls import URLPattern, path

from wheel import views
from wheel.urls_calendar import urlpatterns as calendar_patterns

app_name = "wheel"

series_patterns: list[URLPattern] = [
    path("serier/", views.series_list, name="series_list"),
    path("serier/ny/", views.series_create, name="series_create"),
    path("serier/<int:pk>/", views.series_detail, name="series_detail"),
    path("serier/<int:pk>/andra/", views.series_edit, name="series_edit"),
    path("tillfallen/<int:pk>/", views.occurrence_detail, name="occurrence_detail"),
    # The same page under the name the wheel's calendar views link to.
    path("tillfallen/<int:pk>/", views.occurrence_detail, name="occurrence"),
    path("tillfallen/<int:pk>/registrera/", views.occurrence_record, name="occurrence_record"),
    path(
        "tillfallen/<int:pk>/protokoll/",
        views.occurrence_minutes_file,
        name="occurrence_minutes_file",
    ),
    path("tillfallen/<int:pk>/beslut/ny/", views.decision_create, name="decision_create"),
    path("beslut/<int:pk>/andra/", views.decision_edit, name="decision_edit"),
    path("tillfallen/<int:pk>/atgarder/ny/", views.action_create, name="action_create"),
    path("atgarder/<int:pk>/andra/", views.action_edit, name="action_edit"),
    path("atgarder/<int:pk>/klar/", views.action_close, name="action_close"),
    path("kontrollera-text/", views.text_check, name="text_check"),
]

urlpatterns = [*series_patterns, *calendar_patterns]
