"""Services that change organisations. Each runs in a transaction and writes its audit event."""

import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from access.models import AuditEventType
from access.services import audit_event_record
from organisations.models import (
    DEFAULT_SECTOR_BY_KIND,
    Membership,
    Municipality,
    SchoolTerm,
    Unit,
    User,
)

_UNIT_FIELDS = (
    "name",
    "kind",
    "sector",
    "school_forms",
    "pupil_count",
    "is_active",
    "parent_id",
)
_TERM_FIELDS = ("kind", "starts_on", "ends_on")
_USER_FIELDS = ("first_name", "last_name", "email", "title", "phone", "is_active")


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _changed(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [key for key in new if old.get(key) != new[key]]
    return {key: old.get(key) for key in keys}, {key: new[key] for key in keys}


def _path_for(unit: Unit) -> str:
    prefix = unit.parent.path if unit.parent else "/"
    return f"{prefix}{unit.pk}/"


def unit_create(
    *,
    actor: User | None,
    municipality: Municipality,
    name: str,
    kind: str,
    sector: str = "",
    parent: Unit | None = None,
    school_forms: list[str] | None = None,
    pupil_count: int | None = None,
) -> Unit:
    """Create a unit in ``municipality``; the parent must be of the same municipality."""
    if parent is not None and parent.municipality_id != municipality.pk:
        raise ValueError("A unit's parent must belong to the same municipality.")
    with transaction.atomic():
        unit = Unit.objects.create(
            municipality=municipality,
            parent=parent,
            name=name,
            kind=kind,
            sector=sector or DEFAULT_SECTOR_BY_KIND[kind],
            school_forms=school_forms or [],
            pupil_count=pupil_count,
        )
        unit.path = _path_for(unit)
        unit.save(update_fields=["path"])
        audit_event_record(
            actor=actor,
            municipality=municipality,
            event_type=AuditEventType.UNIT_CREATED,
            obj=unit,
            new=_snapshot(unit, _UNIT_FIELDS),
        )
    return unit


def unit_update(*, actor: User | None, unit: Unit, **changes: Any) -> Unit:
    """Change a unit's fields; moving it in the tree rewrites the paths of its subtree."""
    parent = changes.get("parent", unit.parent)
    if parent is not None:
        if parent.municipality_id != unit.municipality_id:
            raise ValueError("A unit's parent must belong to the same municipality.")
        if parent.path.startswith(unit.path):
            raise ValueError("A unit can not be placed under itself.")
    with transaction.atomic():
        old = _snapshot(unit, _UNIT_FIELDS)
        old_path = unit.path
        for name, value in changes.items():
            setattr(unit, name, value)
        unit.path = _path_for(unit)
        unit.save()
        if unit.path != old_path:
            for descendant in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
                descendant.path = unit.path + descendant.path[len(old_path) :]
                descendant.save(update_fields=["path"])
        before, after = _changed(old, _snapshot(unit, _UNIT_FIELDS))
        if after:
            audit_event_record(
                actor=actor,
                municipality=unit.municipality,
                event_type=AuditEventType.UNIT_UPDATED,
                obj=unit,
                old=before,
                new=after,
            )
    return unit


def user_create(
    *,
    actor: User | None,
    municipality: Municipality,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    title: str = "",
    phone: str = "",
    check_password_strength: bool = True,
) -> User:
    """Create an account administered by ``municipality``. Without a password the account can
    only log in through the identity provider (or after a password reset). Only the demo data
    turns the strength check off, for its one documented password."""
    with transaction.atomic():
        user = User(
            municipality=municipality,
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            title=title,
            phone=phone,
        )
        if password:
            if check_password_strength:
                validate_password(password, user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit_event_record(
            actor=actor,
            municipality=municipality,
            event_type=AuditEventType.USER_CREATED,
            obj=user,
            new={"username": username, **_snapshot(user, _USER_FIELDS)},
        )
    return user


def user_update(
    *, actor: User | None, municipality: Municipality, user: User, **changes: Any
) -> User:
    with transaction.atomic():
        old = _snapshot(user, _USER_FIELDS)
        for name, value in changes.items():
            setattr(user, name, value)
        user.save()
        before, after = _changed(old, _snapshot(user, _USER_FIELDS))
        if after:
            audit_event_record(
                actor=actor,
                municipality=municipality,
                event_type=AuditEventType.USER_UPDATED,
                obj=user,
                old=before,
                new=after,
            )
    return user


def user_create_with_membership(
    *,
    actor: User | None,
    unit: Unit,
    role: str,
    username: str,
    password: str | None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    includes_subtree: bool = False,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    title: str = "",
    phone: str = "",
) -> tuple[User, Membership]:
    """Create an account administered by ``unit``'s municipality together with its first
    membership, both or neither. A second call with the same username fails on the unique
    username, so a double submit can not create two accounts."""
    with transaction.atomic():
        user = user_create(
            actor=actor,
            municipality=unit.municipality,
            username=username,
            password=password,
            first_name=first_name,
            last_name=last_name,
            email=email,
            title=title,
            phone=phone,
        )
        membership = membership_create(
            actor=actor,
            user=user,
            unit=unit,
            role=role,
            valid_from=valid_from,
            valid_to=valid_to,
            includes_subtree=includes_subtree,
        )
    return user, membership


def user_deactivate(*, actor: User, municipality: Municipality, user: User) -> User:
    """End the user's memberships in ``municipality`` at once; an account that has none left
    anywhere is deactivated and all its sessions end."""
    today = timezone.localdate()
    still_open = Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    with transaction.atomic():
        for membership in Membership.objects.filter(
            still_open, user=user, unit__municipality=municipality
        ).select_related("unit__municipality"):
            membership_end(actor=actor, membership=membership)
        remaining = Membership.objects.filter(still_open, user=user).exists()
        if not remaining and user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            user_sessions_end(actor=actor, user=user)
            audit_event_record(
                actor=actor,
                municipality=municipality,
                event_type=AuditEventType.USER_DEACTIVATED,
                obj=user,
                old={"is_active": True},
                new={"is_active": False},
            )
    return user


def membership_create(
    *,
    actor: User | None,
    user: User,
    unit: Unit,
    role: str,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    includes_subtree: bool = False,
) -> Membership:
    """Give ``user`` a role at ``unit``. An identical open membership is not duplicated."""
    valid_from = valid_from or timezone.localdate()
    with transaction.atomic():
        existing = Membership.objects.filter(
            user=user, unit=unit, role=role, valid_from=valid_from, valid_to=valid_to
        ).first()
        if existing:
            return existing
        membership = Membership.objects.create(
            user=user,
            unit=unit,
            role=role,
            valid_from=valid_from,
            valid_to=valid_to,
            includes_subtree=includes_subtree,
        )
        audit_event_record(
            actor=actor,
            municipality=unit.municipality,
            event_type=AuditEventType.MEMBERSHIP_CREATED,
            obj=membership,
            new={
                "user": user.username,
                "unit": unit.name,
                "role": role,
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat() if valid_to else None,
                "includes_subtree": includes_subtree,
            },
        )
    return membership


def membership_end(
    *, actor: User | None, membership: Membership, on: datetime.date | None = None
) -> Membership | None:
    """End a membership; ``on`` is its last valid day (default yesterday, so access stops at
    once). A membership that would end before it began is removed; the audit event and the
    history table keep the record of it. A membership already over by ``on`` is left as it is."""
    end = on or timezone.localdate() - datetime.timedelta(days=1)
    old_end = membership.valid_to
    if old_end is not None and old_end <= end:
        # Already over by then: ending it again must not lengthen it.
        return membership
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            municipality=membership.unit.municipality,
            event_type=AuditEventType.MEMBERSHIP_ENDED,
            obj=membership,
            old={"valid_to": old_end.isoformat() if old_end else None},
            new={"valid_to": end.isoformat()},
        )
        if end < membership.valid_from:
            membership.delete()
            return None
        membership.valid_to = end
        membership.save(update_fields=["valid_to"])
    return membership


def user_sessions_end(*, actor: User | None, user: User) -> int:
    """Log the user out everywhere: every tracked session is ended."""
    from allauth.usersessions.models import UserSession

    count = 0
    with transaction.atomic():
        for session in UserSession.objects.filter(user=user):
            session.end()
            count += 1
        audit_event_record(
            actor=actor,
            municipality=user.municipality,
            event_type=AuditEventType.SESSIONS_ENDED,
            obj=user,
            new={"sessions": count},
        )
    return count


def term_create(
    *,
    actor: User | None,
    municipality: Municipality,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> SchoolTerm:
    with transaction.atomic():
        term = SchoolTerm.objects.create(
            municipality=municipality, kind=kind, starts_on=starts_on, ends_on=ends_on
        )
        audit_event_record(
            actor=actor,
            municipality=municipality,
            event_type=AuditEventType.TERM_CREATED,
            obj=term,
            new=_snapshot(term, _TERM_FIELDS),
        )
    return term


def term_update(*, actor: User | None, term: SchoolTerm, **changes: Any) -> SchoolTerm:
    with transaction.atomic():
        old = _snapshot(term, _TERM_FIELDS)
        for name, value in changes.items():
            setattr(term, name, value)
        term.save()
        before, after = _changed(old, _snapshot(term, _TERM_FIELDS))
        if after:
            audit_event_record(
                actor=actor,
                municipality=term.municipality,
                event_type=AuditEventType.TERM_UPDATED,
                obj=term,
                old=before,
                new=after,
            )
    return term


def term_delete(*, actor: User | None, term: SchoolTerm) -> None:
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            municipality=term.municipality,
            event_type=AuditEventType.TERM_DELETED,
            obj=term,
            old=_snapshot(term, _TERM_FIELDS),
        )
        term.delete()
