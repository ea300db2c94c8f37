"""Read-only Django admin for the access log and the audit events: both are records of what
happened, so nobody adds, changes or deletes them here (the access log's database triggers would
refuse anyway)."""

from typing import Any, override

from django.contrib import admin
from django.http import HttpRequest

from access.models import AccessLog, AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    @override
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @override
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @override
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = (
        "occurred_at",
        "username",
        "role",
        "unit",
        "municipality",
        "object_type",
        "object_id",
        "child_ref",
        "action",
        "rule",
        "request_id",
    )
    list_filter = ("action", "municipality")
    list_select_related = ("unit", "municipality")
    search_fields = ("=username", "=child_ref", "=request_id")
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "occurred_at",
        "event_type",
        "actor",
        "municipality",
        "object_type",
        "object_id",
        "request_id",
    )
    list_filter = ("event_type", "municipality")
    list_select_related = ("actor", "municipality")
    search_fields = ("=object_id", "=request_id")
    date_hierarchy = "occurred_at"
    show_full_result_count = False
