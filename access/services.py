"""Writing the access log and audit events. Callers are services and the policy loaders."""

from typing import Any

from django.db import models

from access.context import current_request_id
from access.models import AccessLog, AuditEvent
from organisations.models import Membership, Municipality, User


def access_log_record(
    *,
    user: User,
    municipality: Municipality,
    obj: models.Model,
    child_ref: str,
    action: str,
    rule: str,
    membership: Membership | None = None,
) -> AccessLog:
    """Append one row to the access log. The row can never be changed afterwards."""
    return AccessLog.objects.create(
        user=user,
        username=user.get_username(),
        role=membership.role if membership else "",
        unit=membership.unit if membership else None,
        municipality=municipality,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        child_ref=child_ref,
        action=action,
        rule=rule,
        request_id=current_request_id.get(),
    )


def audit_event_record(
    *,
    actor: User | None,
    municipality: Municipality | None,
    event_type: str,
    obj: models.Model,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record a state change; call inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=actor,
        municipality=municipality,
        event_type=event_type,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        old_values=_jsonable(old or {}),
        new_values=_jsonable(new or {}),
        request_id=current_request_id.get(),
    )


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value if isinstance(value, (str, int, float, bool, type(None), list)) else str(value)
        for key, value in values.items()
    }
