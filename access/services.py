"""Writing the access log and audit events (callers are services and the policy loaders), and
the log review's samples."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.context import current_request_id, mark_child_data_shown
from access.models import AccessAction, AccessLog, AuditEvent, AuditEventType, LogReviewSample
from access.policies import NotPermitted, access_log_submit
from access.selectors import (
    LogReviewAction,
    access_log_policy,
    log_sample_policy,
    log_sample_size,
    month_bounds,
    month_label,
    month_start,
)
from organisations.models import Membership, Municipality, User
from reports.identity import child_ref_for


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
    """Append one row to the access log and return it. The row can never be changed
    afterwards. (Pages log through :func:`access_log_record_reads`, which writes without
    building model objects; this one gives the row back, for the callers that need it.)"""
    mark_child_data_shown()
    entry = AccessLogEntry(
        obj=obj,
        municipality_id=municipality.pk,
        child_ref=child_ref,
        rule=rule,
        membership=membership,
    )
    return AccessLog.objects.create(**_row(user, action, entry, timezone.now()))


@dataclass(frozen=True)
class AccessLogEntry:
    """One read to log with :func:`access_log_record_many`: the object, whose data it is, and
    the rule (and membership) that allowed the read."""

    obj: models.Model
    municipality_id: int
    child_ref: str
    rule: str
    membership: Membership | None = None


def access_log_record_many(*, user: User, action: str, entries: Iterable[AccessLogEntry]) -> int:
    """Append one access-log row per entry in a single insert (a list page showing identified
    children logs every child it shows, at the cost of one query per page). Returns the
    number of rows written."""
    return access_log_record_reads(user=user, reads=[(action, entry) for entry in entries])


def access_log_record_reads(*, user: User, reads: Iterable[tuple[str, AccessLogEntry]]) -> int:
    """Append one access-log row per (action, entry) in a single insert: a page that shows a
    printed report and its siblings' names logs both kinds of read together. Returns the
    number of rows written."""
    # Marked even for an empty list: the page is one that shows children's data.
    mark_child_data_shown()
    at = timezone.now()
    rows = [_row(user, action, entry, at) for action, entry in reads]
    if rows:
        _insert_rows(rows)
    return len(rows)


def _row(user: User, action: str, entry: AccessLogEntry, at: datetime.datetime) -> dict[str, Any]:
    """One access-log row's columns (attribute names), the same for both ways of writing."""
    membership = entry.membership
    return {
        "occurred_at": at,
        "user_id": user.pk,
        "username": user.get_username(),
        "role": membership.role if membership else "",
        "unit_id": membership.unit_id if membership else None,
        "municipality_id": entry.municipality_id,
        "staff_municipality_id": _staff_municipality_elsewhere(entry),
        "object_type": entry.obj._meta.label_lower,
        "object_id": str(entry.obj.pk),
        "child_ref": entry.child_ref,
        "action": action,
        "rule": entry.rule,
        "request_id": current_request_id.get(),
    }


def _insert_rows(rows: list[dict[str, Any]]) -> None:
    """Insert the rows in one statement, without model objects. Every list page writes one row
    per child it shows (~65 on the intake's first page): through ``bulk_create`` that was
    ~8 ms of a ~50 ms request, most of it building, validating and compiling 65 model objects
    whose ids nobody reads. On PostgreSQL the columns go as one array each (``unnest``): one
    parameter per column, whatever the number of rows."""
    meta = AccessLog._meta
    columns = list(rows[0])
    by_attname = {field.attname: field for field in meta.concrete_fields}
    fields = [by_attname[column] for column in columns]
    named = list(zip(columns, fields, strict=True))
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column or name) for name, field in named)
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The values are Python's own (str, int, datetime, None): psycopg adapts them.
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})",  # noqa: S608
                [[row[column] for row in rows] for column in columns],
            )
        else:
            # Many rows per statement, as bulk_create batches them (SQLite's bound on
            # parameters): one INSERT for a page's rows.
            row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
            size = connection.ops.bulk_batch_size(fields, rows)
            for start in range(0, len(rows), size):
                batch = rows[start : start + size]
                cursor.execute(
                    f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
                    + ", ".join([row_marks] * len(batch)),
                    [
                        field.get_db_prep_save(row[name], connection)
                        for row in batch
                        for name, field in named
                    ],
                )


def _staff_municipality_elsewhere(entry: AccessLogEntry) -> int | None:
    """The reader's municipality when it is not the one whose data was read, else None."""
    if entry.membership is None:
        return None
    own = entry.membership.unit.municipality_id
    return own if own != entry.municipality_id else None


def audit_event_record(
    *,
    actor: User | None,
    municipality: Municipality | None,
    event_type: str,
    obj: models.Model,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record a state change; call inside the service's transaction. ``event_type`` must be
    one of ``AuditEventType`` (a ``ValueError`` otherwise: a typo is a bug, not a new type)."""
    if event_type not in AuditEventType.values:
        raise ValueError(f"Unknown audit event type {event_type!r}; add it to AuditEventType.")
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


def model_update_audited[M: models.Model](
    *,
    obj: M,
    actor: User | None,
    fields: dict[str, Any],
    event_type: str,
    municipality: Municipality | None,
) -> tuple[M, bool]:
    """Change ``fields`` of ``obj`` under a row lock and record what changed, in one
    transaction; returns the locked, changed row and whether anything changed.

    Only fields whose value differs from the stored one are set and saved
    (``update_fields``), and one audit event holds their old and new values. When nothing
    differs there is no save and no event. A key is a field's name (a related object is
    compared and recorded by its primary key) or, for a foreign key, its ``*_id`` name. The
    caller checks its policy first; many-to-many fields are not handled here.
    """
    with transaction.atomic():
        # The row as it is now, locked until the transaction ends: concurrent updates queue
        # up and each compares against what the previous one stored.
        locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        old: dict[str, Any] = {}
        new: dict[str, Any] = {}
        saved: list[str] = []
        for key, value in fields.items():
            field = locked._meta.get_field(key)
            stored = value.pk if isinstance(value, models.Model) else value
            current = getattr(locked, field.attname)  # type: ignore[union-attr]
            if current == stored:
                continue
            old[key], new[key] = current, stored
            # An object is set through the relation's name, so it is kept (no query to read
            # it back); a bare primary key through the key as given.
            setattr(locked, field.name if isinstance(value, models.Model) else key, value)
            saved.append(field.name)
        if not new:
            return locked, False
        locked.save(update_fields=saved)
        audit_event_record(
            actor=actor,
            municipality=municipality,
            event_type=event_type,
            obj=locked,
            old=old,
            new=new,
        )
    return locked, True


def log_sample_create(
    *, actor: User, municipality: Municipality, month: datetime.date
) -> LogReviewSample:
    """Draw the monthly random sample of ``municipality``'s access log for the log review.

    ``month`` is any day of the month. Up to ``settings.ACCESS_LOG_SAMPLE_SIZE`` (default 20)
    rows of that month are drawn at random. Only a month that has ended can be sampled, and
    only once: a second attempt (also a double submit racing the first) raises
    ``ValidationError`` and changes nothing. Only the municipality's admin may
    (``NotPermitted``).
    """
    if municipality.pk not in access_log_policy.municipality_ids(actor, LogReviewAction.VIEW):
        raise NotPermitted
    first = month_start(month)
    if first >= month_start(timezone.localdate()):
        raise ValidationError(
            _("%(month)s has not ended yet. A sample can only be drawn for a month that has ended.")
            % {"month": month_label(first)},
            code="month_not_ended",
        )
    already_drawn = ValidationError(
        _("A sample for %(month)s has already been drawn. There is one sample per month.")
        % {"month": month_label(first)},
        code="sample_exists",
    )
    if LogReviewSample.objects.filter(municipality=municipality, month=first).exists():
        raise already_drawn
    size = log_sample_size()
    start, end = month_bounds(first)
    try:
        with transaction.atomic():
            sample = LogReviewSample.objects.create(
                municipality=municipality, month=first, created_by=actor
            )
            entry_ids = list(
                AccessLog.objects.filter(
                    municipality=municipality, occurred_at__gte=start, occurred_at__lt=end
                )
                .order_by("?")
                .values_list("pk", flat=True)[:size]
            )
            sample.entries.add(*entry_ids)
            audit_event_record(
                actor=actor,
                municipality=municipality,
                event_type=AuditEventType.LOG_SAMPLE_CREATED,
                obj=sample,
                new={"month": first.isoformat(), "entries": len(entry_ids), "sample_size": size},
            )
    except IntegrityError:
        # Another request drew this month's sample between our check and our insert.
        if LogReviewSample.objects.filter(municipality=municipality, month=first).exists():
            raise already_drawn from None
        raise
    return sample


def log_sample_review(*, actor: User, sample: LogReviewSample, comment: str) -> LogReviewSample:
    """Record that ``sample`` was reviewed, with the reviewer's comment on what was found.

    The comment is required. A sample is reviewed once: a second review raises
    ``ValidationError`` and keeps the first one.
    """
    log_sample_policy.require(actor, LogReviewAction.REVIEW, sample)
    comment = comment.strip()
    if not comment:
        raise ValidationError(
            _("Write what the review found, for example “No unjustified access found”."),
            code="comment_required",
        )
    with transaction.atomic():
        locked = (
            LogReviewSample.objects.select_for_update()
            .select_related("municipality")
            .get(pk=sample.pk)
        )
        if locked.reviewed_at is not None:
            raise ValidationError(
                _("This sample has already been reviewed. A review can not be changed."),
                code="already_reviewed",
            )
        locked.reviewed_at = timezone.now()
        locked.reviewed_by = actor
        locked.comment = comment
        locked.save(update_fields=["reviewed_at", "reviewed_by", "comment"])
        audit_event_record(
            actor=actor,
            municipality=locked.municipality,
            event_type=AuditEventType.LOG_SAMPLE_REVIEWED,
            obj=locked,
            new={"reviewed_at": locked.reviewed_at.isoformat(), "comment": comment},
        )
    return locked


def log_review_child_lookup(
    *, actor: User, identity_number: str, municipality_id: int | None = None
) -> str:
    """The child's reference for ``identity_number`` (twelve digits, already validated), with
    the lookup recorded: looking up whose reads a child's data had is itself a search for that
    child, so it is written to the access log under the child's reference, as the intake's
    search is — once per municipality looked in (``municipality_id``, or every municipality
    the actor administers). Nobody else may look (``NotPermitted``)."""
    municipalities = administered_for_lookup(actor, municipality_id)
    if not municipalities:
        raise NotPermitted
    child_ref = child_ref_for(identity_number)
    entries = []
    for municipality in municipalities:
        grant = access_log_policy.grant_for_municipality(
            actor, LogReviewAction.VIEW, municipality.pk
        )
        if grant is None:
            continue
        entries.append(
            AccessLogEntry(
                obj=municipality,
                municipality_id=municipality.pk,
                child_ref=child_ref,
                rule=grant.rule,
                membership=grant.membership,
            )
        )
    access_log_submit(actor, AccessAction.SEARCH, entries)
    return child_ref


def administered_for_lookup(actor: User, municipality_id: int | None) -> list[Municipality]:
    """The municipalities a lookup looks in: the one chosen, or all the actor administers."""
    municipalities = access_log_policy.municipalities(actor, LogReviewAction.VIEW)
    if municipality_id is None:
        return municipalities
    return [municipality for municipality in municipalities if municipality.pk == municipality_id]
