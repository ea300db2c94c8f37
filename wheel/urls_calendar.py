"""URLs of the wheel's picture, list and month, the coverage tables and the calendar feeds.

Included by ``wheel/urls.py`` (names in the "wheel" namespace)."""

from django.urls import URLPattern, path

from wheel import views_calendar

urlpatterns: list[URLPattern] = [
    path("", views_calendar.wheel, name="wheel"),
    path("lista/", views_calendar.wheel_list, name="list"),
    path("manad/", views_calendar.this_month, name="this_month"),
    path("manad/<int:year>/<int:month>/", views_calendar.month, name="month"),
    path("tackning/", views_calendar.coverage, name="coverage"),
    path("kalendrar/", views_calendar.calendar_feeds, name="calendar_feeds"),
    path("kalendrar/ny/", views_calendar.calendar_feed_create, name="calendar_feed_create"),
    path(
        "kalendrar/<int:pk>/aterkalla/",
        views_calendar.calendar_feed_revoke,
        name="calendar_feed_revoke",
    ),
    path("feed/<slug:token>.ics", views_calendar.feed, name="feed"),
    path("tillfallen/<int:pk>.ics", views_calendar.occurrence_ics, name="occurrence_ics"),
]
