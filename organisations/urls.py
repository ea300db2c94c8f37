from django.urls import path

from organisations import views, views_breaks, views_contacts

app_name = "organisations"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/roles/new/", views.membership_create, name="membership_create"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/sessions/end/", views.user_sessions_end, name="user_sessions_end"),
    path("roles/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("roles/approvals/", views.membership_approvals, name="membership_approvals"),
    path("roles/<int:pk>/decide/", views.membership_decide, name="membership_decide"),
    path("phone-numbers/", views_contacts.contacts_edit, name="contacts"),
    path("terms/", views.term_list, name="term_list"),
    path("terms/new/", views.term_create, name="term_create"),
    path("terms/<int:pk>/", views.term_edit, name="term_edit"),
    path("terms/<int:pk>/delete/", views.term_delete, name="term_delete"),
    path("breaks/new/", views_breaks.school_break_create, name="school_break_create"),
    path("breaks/<int:pk>/", views_breaks.school_break_edit, name="school_break_edit"),
    path("breaks/<int:pk>/delete/", views_breaks.school_break_delete, name="school_break_delete"),
]
