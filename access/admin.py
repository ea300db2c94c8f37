"""Read-only Django admin for the access log and the audit events: both are records of what
happened, so nobody adds, changes or deletes them here (the access log's database triggers would
refuse anyway)."""

from typing import Any, override

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from access.models import AccessLog, AuditEvent, AuditEventType
from access.policies import rule_label
from access.row_words import ROLE_LABELS, object_kind


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
        "role_label",
        "unit",
        "municipality",
        "object_kind",
        "object_id",
        "child_ref",
        "action",
        "rule_label",
        "request_id",
    )
    list_filter = ("action", "municipality")
    list_select_related = ("unit", "municipality")
    search_fields = ("=username", "=child_ref", "=request_id")
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    # Words, not codes, here too: the columns hold no database choices.
    @admin.display(description=_("role"), ordering="role")
    def role_label(self, row: AccessLog) -> str:
        return str(ROLE_LABELS.get(row.role, row.role))

    @admin.display(description=_("allowed by rule"), ordering="rule")
    def rule_label(self, row: AccessLog) -> str:
        return rule_label(row.rule)

    @admin.display(description=_("object type"), ordering="object_type")
    def object_kind(self, row: AccessLog) -> str:
        return object_kind(row.object_type)


class EventTypeFilter(admin.SimpleListFilter):
    """The event types by name (the column has no choices for the admin to read them from)."""

    title = _("event")
    parameter_name = "event_type"

    @override
    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return sorted(
            ((str(value), str(label)) for value, label in AuditEventType.choices),
            key=lambda choice: choice[1],
        )

    @override
    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(event_type=value) if value else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "occurred_at",
        "event_type_label",
        "actor",
        "municipality",
        "object_kind",
        "object_id",
        "request_id",
    )
    list_filter = (EventTypeFilter, "municipality")
    list_select_related = ("actor", "municipality")
    search_fields = ("=object_id", "=request_id")
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    @admin.display(description=_("event"), ordering="event_type")
    def event_type_label(self, event: AuditEvent) -> str:
        return event.event_type_label

    @admin.display(description=_("object type"), ordering="object_type")
    def object_kind(self, event: AuditEvent) -> str:
        return object_kind(event.object_type)
