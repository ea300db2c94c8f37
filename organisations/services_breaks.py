"""Services for a municipality's school breaks (lov), kept beside its terms.

Whoever manages the terms manages the breaks (``school_break_policy``). Every write runs in a
transaction under the municipality's lock, checks the dates and records an audit event.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from access.models import AuditEventType
from access.services import audit_event_record
from organisations.models import BreakKind, Municipality, SchoolBreak, User
from organisations.policies import MANAGE, school_break_policy
from organisations.services import _changed, _date, _lock, _require, _require_in, _snapshot

# A break longer than this is a typo in the year (the summer is the gap between the terms).
MAX_BREAK_DAYS = 31
_FIELDS = ("kind", "name", "starts_on", "ends_on")


def school_break_dates_check(
    *,
    municipality: Municipality,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    school_break: SchoolBreak | None,
) -> None:
    """The kind is known, the break is 1 to ``MAX_BREAK_DAYS`` days long and does not overlap
    another break of the municipality. Raises a ValidationError keyed by form field."""
    if kind not in BreakKind.values:
        raise ValidationError({"kind": _("Choose the kind of break.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The last day must not be before the first day.")})
    if (ends_on - starts_on).days >= MAX_BREAK_DAYS:
        raise ValidationError(
            {
                "ends_on": _("A break can not be longer than %(days)s days. Check the year.")
                % {"days": MAX_BREAK_DAYS}
            }
        )
    overlapping = SchoolBreak.objects.filter(
        municipality=municipality, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if school_break is not None:
        overlapping = overlapping.exclude(pk=school_break.pk)
    other = overlapping.order_by("starts_on").first()
    if other is not None:
        raise ValidationError(
            {
                "starts_on": _(
                    "The dates overlap with %(name)s (%(start)s – %(end)s). Change the dates "
                    "or change that break."
                )
                % {
                    "name": other.label,
                    "start": _date(other.starts_on),
                    "end": _date(other.ends_on),
                }
            }
        )


def school_break_create(
    *,
    actor: User | None,
    municipality: Municipality,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    name: str = "",
) -> SchoolBreak:
    """Add a school break to the municipality (``actor`` None: the demo and migrations)."""
    _require_in(actor, school_break_policy, municipality)
    with transaction.atomic():
        _lock(Municipality, municipality.pk)
        school_break_dates_check(
            municipality=municipality,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            school_break=None,
        )
        school_break = SchoolBreak.objects.create(
            municipality=municipality,
            kind=kind,
            name=name.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
        )
        audit_event_record(
            actor=actor,
            municipality=municipality,
            event_type=AuditEventType.SCHOOL_BREAK_CREATED,
            obj=school_break,
            new=_snapshot(school_break, _FIELDS),
        )
    return school_break


def school_break_update(
    *, actor: User | None, school_break: SchoolBreak, **changes: Any
) -> SchoolBreak:
    """Change a break's kind, name or dates (checked as in :func:`school_break_create`)."""
    _require(actor, school_break_policy, MANAGE, school_break)
    with transaction.atomic():
        _lock(Municipality, school_break.municipality_id)
        school_break_dates_check(
            municipality=school_break.municipality,
            kind=changes.get("kind", school_break.kind),
            starts_on=changes.get("starts_on", school_break.starts_on),
            ends_on=changes.get("ends_on", school_break.ends_on),
            school_break=school_break,
        )
        old = _snapshot(school_break, _FIELDS)
        for name, value in changes.items():
            setattr(school_break, name, value.strip() if isinstance(value, str) else value)
        school_break.save()
        before, after = _changed(old, _snapshot(school_break, _FIELDS))
        if after:
            audit_event_record(
                actor=actor,
                municipality=school_break.municipality,
                event_type=AuditEventType.SCHOOL_BREAK_UPDATED,
                obj=school_break,
                old=before,
                new=after,
            )
    return school_break


def school_break_delete(*, actor: User | None, school_break: SchoolBreak) -> None:
    _require(actor, school_break_policy, MANAGE, school_break)
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            municipality=school_break.municipality,
            event_type=AuditEventType.SCHOOL_BREAK_DELETED,
            obj=school_break,
            old=_snapshot(school_break, _FIELDS),
        )
        school_break.delete()
