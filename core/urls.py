from django.urls import path

from core import views, views_notifications

app_name = "core"

urlpatterns = [
    path("", views.start, name="start"),
    path("healthz", views.healthz, name="healthz"),
    path("tillganglighet/", views.accessibility_statement, name="accessibility"),
    path("meddelanden/", views_notifications.notifications, name="notifications"),
]
