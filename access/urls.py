from django.urls import path

from access import views

app_name = "access"

urlpatterns = [
    path("loggkontroll/", views.log_review, name="log_review"),
    path("loggkontroll/filter/", views.log_review_filter, name="log_review_filter"),
    path("loggkontroll/barn/", views.log_review_child, name="log_review_child"),
    path("loggkontroll/barn/fran-rad/", views.log_review_follow, name="log_review_follow"),
    path("loggkontroll/stickprov/", views.log_sample_list, name="log_sample_list"),
    path("loggkontroll/stickprov/nytt/", views.log_sample_create, name="log_sample_create"),
    path("loggkontroll/stickprov/<int:pk>/", views.log_sample_detail, name="log_sample_detail"),
    path(
        "loggkontroll/stickprov/<int:pk>/granska/",
        views.log_sample_review,
        name="log_sample_review",
    ),
]
