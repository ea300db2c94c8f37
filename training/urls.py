from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("", views.vignette_list, name="vignette_list"),
    path("fall/nytt/", views.vignette_create, name="vignette_create"),
    path("fall/<int:pk>/", views.vignette_detail, name="vignette_detail"),
    path("fall/<int:pk>/andra/", views.vignette_edit, name="vignette_edit"),
    path("tillfallen/", views.session_list, name="session_list"),
    path("tillfallen/nytt/", views.session_create, name="session_create"),
    path("tillfallen/<int:pk>/", views.session_detail, name="session_detail"),
    path("tillfallen/<int:pk>/andra/", views.session_edit, name="session_edit"),
    path("uppfoljning/", views.followup_page, name="followup"),
]
