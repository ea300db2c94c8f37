"""URLs of governance documents (mounted at /styrdokument/)."""

from django.urls import URLPattern, path

from governance import views

app_name = "governance"

urlpatterns: list[URLPattern] = [
    path("", views.document_list, name="document_list"),
    path("new/", views.document_create, name="document_create"),
    path("read-shares/", views.read_shares, name="read_shares"),
    path("<int:pk>/", views.document_detail, name="document_detail"),
    path("<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("<int:pk>/read/", views.read_confirm, name="read_confirm"),
    path("<int:pk>/versions/new/", views.version_add, name="version_add"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("<int:pk>/versions/<int:number>/file/", views.version_file, name="version_file"),
    path("<int:pk>/diff/", views.version_diff, name="version_diff"),
    path("<int:pk>/goals/new/", views.goal_add, name="goal_add"),
    path("<int:pk>/goals/<int:item_id>/edit/", views.goal_edit, name="goal_edit"),
    path("<int:pk>/goals/<int:item_id>/delete/", views.goal_delete, name="goal_delete"),
    path("<int:pk>/roles/new/", views.responsibility_add, name="responsibility_add"),
    path(
        "<int:pk>/roles/<int:item_id>/edit/",
        views.responsibility_edit,
        name="responsibility_edit",
    ),
    path(
        "<int:pk>/roles/<int:item_id>/delete/",
        views.responsibility_delete,
        name="responsibility_delete",
    ),
    path("<int:pk>/measures/new/", views.measure_add, name="measure_add"),
    path("<int:pk>/measures/<int:item_id>/edit/", views.measure_edit, name="measure_edit"),
    path("<int:pk>/measures/<int:item_id>/status/", views.measure_status, name="measure_status"),
]
