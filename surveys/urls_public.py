"""The public answer pages (no login): ``/svar/<token>/``."""

from django.urls import path

from surveys import views_answer

app_name = "survey_answer"

urlpatterns = [
    path("tack/", views_answer.thanks, name="thanks"),
    path("<str:token>/", views_answer.answer, name="answer"),
]
