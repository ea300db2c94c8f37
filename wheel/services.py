"""Services of the annual wheel: activity series and their occurrences, what was recorded at
a meeting (status, attendance, minutes), its decisions and follow-up actions.

Every service runs in a transaction and writes an audit event. Free text (minutes, reasons,
decisions, actions) is refused when it holds something that looks like a personal identity
number: minutes never identify children (``check_no_identity_numbers``).
"""

import datetime
import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from access.models import AuditEventType
from access.policies import NotPermitted
from access.services import audit_event_record, model_update_audited
from core.personnummer import find_identity_numbers
from core.sanitize import user_text_to_html
from core.uploads import delete_on_commit, files_all_or_nothing, note_stored, validate_upload
from followup.rollups import mark_meetings
from governance.models import GovernanceDocument
from organisations.calendar import school_break_days
from organisations.models import Membership, Municipality, SchoolTerm, Unit, User, active_on
from wheel import recurrence
from wheel.models import (
    ActionStatus,
    ActivitySeries,
    ActivityType,
    Attendance,
    FollowUpAction,
    MeetingDecision,
    Occurrence,
    OccurrenceStatus,
    ScheduleKind,
)
from wheel.policies import (
    MANAGE,
    RECORD,
    action_policy,
    decision_policy,
    occurrence_policy,
    series_policy,
)

IDENTITY_NUMBER_MESSAGE = _(
    "The text seems to contain a personal identity number (YYMMDD-XXXX). Minutes must not "
    "identify children: remove it."
)


class ConcurrentEditError(ValueError):
    """Someone else recorded the occurrence since this form was opened."""


def contains_identity_number(text: str) -> bool:
    """Whether ``text`` (plain or HTML, entities and tags included) holds a personnummer- or
    samordningsnummer-like string."""
    if not text:
        return False
    return bool(
        find_identity_numbers(text) or find_identity_numbers(html.unescape(strip_tags(text)))
    )


def check_no_identity_numbers(**texts: str) -> None:
    """Raise a ValidationError naming each field whose text holds an identity number."""
    errors = {
        name: [ValidationError(IDENTITY_NUMBER_MESSAGE, code="identity_number")]
        for name, text in texts.items()
        if contains_identity_number(text)
    }
    if errors:
        raise ValidationError(errors)


# --- series ------------------------------------------------------------------------------------

SCHEDULE_FIELDS = (
    "schedule_kind",
    "rrule",
    "times_per_term",
    "months",
    "starts_on",
    "ends_on",
    "start_time",
    "duration_minutes",
)
_SERIES_FIELDS = (
    "activity_type",
    "title",
    "description",
    "organiser_unit",
    "organiser_person",
    "invited_sectors",
    "governance_document",
    *SCHEDULE_FIELDS,
    "place",
)


@dataclass(frozen=True)
class SeriesData:
    """What a series is made of, as a form or the demo gives it. ``school`` is put on every
    occurrence (intake–principal meetings and parent-meeting visits are with one school)."""

    activity_type: str
    title: str
    organiser_unit: Unit
    schedule_kind: str
    starts_on: datetime.date
    ends_on: datetime.date
    start_time: datetime.time
    description: str = ""
    organiser_person: User | None = None
    invited_units: tuple[Unit, ...] = ()
    invited_sectors: tuple[str, ...] = ()
    governance_document: GovernanceDocument | None = None
    rrule: str = ""
    times_per_term: int | None = None
    months: tuple[int, ...] = ()
    duration_minutes: int = 90
    place: str = ""
    school: Unit | None = None
    day_of_month: int = field(default=recurrence.DEFAULT_DAY_OF_MONTH)


def _require_manage_in(actor: User, municipality: Municipality) -> None:
    """Every write here first asks the wheel's policy; creating a series asks where."""
    if municipality.pk not in series_policy.municipality_ids(actor, MANAGE):
        raise NotPermitted


def _terms_within(
    municipality: Municipality, starts_on: datetime.date, ends_on: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """The municipality's terms that overlap the period, clipped to it."""
    terms = SchoolTerm.objects.filter(
        municipality=municipality, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).order_by("starts_on")
    return [(max(t.starts_on, starts_on), min(t.ends_on, ends_on)) for t in terms]


def series_schedule(*, municipality: Municipality, data: SeriesData) -> list[datetime.datetime]:
    """The local start times ``data``'s schedule gives (see ``wheel.recurrence``): holidays and
    the municipality's school breaks avoided. Raises a ValidationError keyed by the form field
    to fix."""
    if data.ends_on < data.starts_on:
        raise ValidationError({"ends_on": _("The last day of the series is before its first day.")})
    avoid = frozenset(school_break_days(municipality.pk, data.starts_on, data.ends_on))
    try:
        if data.schedule_kind == ScheduleKind.RRULE:
            starts = recurrence.expand_rrule(
                data.rrule,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
                start_time=data.start_time,
                avoid=avoid,
            )
        elif data.schedule_kind == ScheduleKind.PER_TERM:
            starts = recurrence.spread_per_term(
                data.times_per_term or 0,
                _terms_within(municipality, data.starts_on, data.ends_on),
                start_time=data.start_time,
                avoid=avoid,
            )
        elif data.schedule_kind == ScheduleKind.FIXED_MONTHS:
            starts = recurrence.fixed_months(
                data.months,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
                start_time=data.start_time,
                day_rule=data.day_of_month,
                avoid=avoid,
            )
        else:
            raise ValidationError({"schedule_kind": _("Choose how the series is scheduled.")})
    except recurrence.ScheduleError as error:
        raise ValidationError({error.field: error.message}) from None
    return starts


def _check_series(municipality: Municipality, data: SeriesData) -> None:
    errors: dict[str, Any] = {}
    if data.activity_type not in ActivityType.values:
        errors["activity_type"] = _("Choose the type of activity.")
    if data.organiser_unit.municipality_id != municipality.pk:
        errors["organiser_unit"] = _("Choose a unit of the series' municipality.")
    if any(unit.municipality_id != municipality.pk for unit in data.invited_units):
        errors["invited_units"] = _("Invite units of the series' municipality only.")
    if (
        data.governance_document is not None
        and data.governance_document.municipality_id != municipality.pk
    ):
        errors["governance_document"] = _("Choose a document of the series' municipality.")
    if data.school is not None and (
        data.school.municipality_id != municipality.pk or not data.school.is_school_unit
    ):
        errors["school"] = _("Choose a school or preschool of the series' municipality.")
    if (
        data.organiser_person is not None
        and not Membership.objects.filter(
            active_on(timezone.localdate()),
            user=data.organiser_person,
            unit__municipality=municipality,
        ).exists()
    ):
        errors["organiser_person"] = _("Choose someone who works in the municipality.")
    if not 5 <= data.duration_minutes <= 24 * 60:
        errors["duration_minutes"] = _("The duration is from 5 minutes to 24 hours.")
    try:
        check_no_identity_numbers(title=data.title, description=data.description, place=data.place)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def _occurrence_rows(
    series: ActivitySeries, starts: Iterable[datetime.datetime], school: Unit | None
) -> list[Occurrence]:
    length = datetime.timedelta(minutes=series.duration_minutes)
    return [
        Occurrence(
            series=series,
            municipality_id=series.municipality_id,
            starts_at=start,
            ends_at=start + length,
            place=series.place,
            school=school,
        )
        for start in starts
    ]


def _series_values(series: ActivitySeries) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in _SERIES_FIELDS:
        value = getattr(series, name)
        values[name] = value.pk if hasattr(value, "pk") else value
    return values


def series_create(*, actor: User, municipality: Municipality, data: SeriesData) -> ActivitySeries:
    """Create a series and all its occurrences (from its first to its last day). Refuses a
    schedule that gives no occurrence or more than ``recurrence.MAX_OCCURRENCES``."""
    _require_manage_in(actor, municipality)
    _check_series(municipality, data)
    starts = series_schedule(municipality=municipality, data=data)
    if not starts:
        raise ValidationError(
            {
                "schedule_kind": _(
                    "The schedule gives no occurrences between the first and the last day "
                    "(holidays and school break weeks are left out). Change the schedule or "
                    "the period."
                )
            }
        )
    with transaction.atomic():
        series = ActivitySeries(municipality=municipality, created_by=actor)
        _apply(series, data)
        series.save()
        series.invited_units.set(data.invited_units)
        Occurrence.objects.bulk_create(_occurrence_rows(series, starts, data.school))
        mark_meetings(municipality.pk, starts)
        audit_event_record(
            actor=actor,
            municipality=municipality,
            event_type=AuditEventType.SERIES_CREATED,
            obj=series,
            new={**_series_values(series), "occurrences": len(starts)},
        )
    return series


def _apply(series: ActivitySeries, data: SeriesData) -> None:
    series.activity_type = data.activity_type
    series.title = data.title.strip()
    series.description = data.description.strip()
    series.organiser_unit = data.organiser_unit
    series.organiser_person = data.organiser_person
    series.invited_sectors = list(data.invited_sectors)
    series.governance_document = data.governance_document
    series.schedule_kind = data.schedule_kind
    series.rrule = data.rrule.strip() if data.schedule_kind == ScheduleKind.RRULE else ""
    series.times_per_term = (
        data.times_per_term if data.schedule_kind == ScheduleKind.PER_TERM else None
    )
    series.months = sorted(data.months) if data.schedule_kind == ScheduleKind.FIXED_MONTHS else []
    series.starts_on = data.starts_on
    series.ends_on = data.ends_on
    series.start_time = data.start_time
    series.duration_minutes = data.duration_minutes
    series.place = data.place.strip()


@dataclass(frozen=True)
class SeriesUpdate:
    series: ActivitySeries
    replanned: bool
    removed: int = 0
    added: int = 0


def series_school(series: ActivitySeries) -> Unit | None:
    """The school all of the series' occurrences are with, if they share one."""
    schools = set(series.occurrences.order_by().values_list("school_id", flat=True).distinct()[:2])
    if len(schools) != 1:
        return None
    (school_id,) = schools
    return Unit.objects.filter(pk=school_id).first() if school_id else None


def series_update(
    *,
    series: ActivitySeries,
    actor: User,
    data: SeriesData,
    now: datetime.datetime | None = None,
) -> SeriesUpdate:
    """Change a series. When its schedule, place or school changes, the occurrences still to
    come that are planned and untouched (never recorded, no decisions or actions) are planned
    again; held, cancelled, moved and recorded occurrences, and everything in the past, stay
    as they are. A new date on the day of a kept occurrence is left out."""
    series_policy.require(actor, MANAGE, series)
    now = now or timezone.now()
    with transaction.atomic():
        locked = ActivitySeries.objects.select_for_update().get(pk=series.pk)
        municipality = locked.municipality
        _check_series(municipality, data)
        old = _series_values(locked)
        old_school = series_school(locked)
        _apply(locked, data)
        replan = (
            any(old[name] != getattr(locked, name) for name in SCHEDULE_FIELDS)
            or old["place"] != locked.place
            or old_school != data.school
        )
        removed = added = 0
        if replan:
            starts = series_schedule(municipality=municipality, data=data)
            before = list(
                locked.occurrences.filter(starts_at__gte=now).values_list("starts_at", flat=True)
            )
            removed, added = _replan(locked, starts, data.school, now)
            mark_meetings(municipality.pk, [*before, *starts])
        if old["activity_type"] != locked.activity_type:
            # The summary tables count held meetings by their series' type, past ones too.
            mark_meetings(municipality.pk, locked.occurrences.values_list("starts_at", flat=True))
        locked.save()
        locked.invited_units.set(data.invited_units)
        audit_event_record(
            actor=actor,
            municipality=municipality,
            event_type=AuditEventType.SERIES_UPDATED,
            obj=locked,
            old=old,
            new={**_series_values(locked), "removed": removed, "added": added},
        )
    return SeriesUpdate(series=locked, replanned=replan, removed=removed, added=added)


def _replan(
    series: ActivitySeries,
    starts: list[datetime.datetime],
    school: Unit | None,
    now: datetime.datetime,
) -> tuple[int, int]:
    """Replace the untouched planned future occurrences with ``starts`` (from ``now``);
    an occurrence whose time is unchanged keeps its row (and its calendar UID)."""
    future = series.occurrences.filter(starts_at__gte=now)
    untouched = future.filter(status=OccurrenceStatus.PLANNED, version=1).exclude(
        Exists(MeetingDecision.objects.filter(occurrence=OuterRef("pk")))
        | Exists(FollowUpAction.objects.filter(occurrence=OuterRef("pk")))
    )
    replaceable = {occurrence.starts_at: occurrence for occurrence in untouched}
    kept_days = {
        timezone.localtime(occurrence.starts_at).date()
        for occurrence in future.exclude(pk__in=[o.pk for o in replaceable.values()])
    }
    wanted = [start for start in starts if start >= now and start.date() not in kept_days]
    length = datetime.timedelta(minutes=series.duration_minutes)
    reused = []
    new_starts = []
    for start in wanted:
        occurrence = replaceable.pop(start, None)
        if occurrence is None:
            new_starts.append(start)
            continue
        occurrence.ends_at = start + length
        occurrence.place = series.place
        occurrence.school = school
        reused.append(occurrence)
    Occurrence.objects.bulk_update(reused, ["ends_at", "place", "school"])
    removed = len(replaceable)
    Occurrence.objects.filter(pk__in=[o.pk for o in replaceable.values()]).delete()
    Occurrence.objects.bulk_create(_occurrence_rows(series, new_starts, school))
    return removed, len(new_starts)


# --- recording an occurrence -------------------------------------------------------------------


def attendance_units(occurrence: Occurrence) -> list[Unit]:
    """The units attendance is counted for: the organiser unit and the invited units."""
    series = occurrence.series
    units = {series.organiser_unit_id: series.organiser_unit}
    for unit in series.invited_units.order_by("name"):
        units.setdefault(unit.pk, unit)
    return sorted(units.values(), key=lambda unit: unit.name.casefold())


@dataclass(frozen=True)
class OccurrenceRecord:
    """What the recording form gives. ``starts_at`` is the (possibly new) start; attendance
    maps unit ids to a number of participants (0 or missing: nobody came)."""

    status: str
    starts_at: datetime.datetime
    status_reason: str = ""
    place: str = ""
    school: Unit | None = None
    minutes: str = ""
    minutes_file: UploadedFile | None = None
    remove_minutes_file: bool = False
    attendance: Mapping[int, int] = field(default_factory=dict)


def _check_record(
    occurrence: Occurrence,
    record: OccurrenceRecord,
    units: dict[int, Unit],
    now: datetime.datetime,
) -> None:
    # In this order: a later message for the same field replaces an earlier one.
    errors: dict[str, Any] = {}
    errors.update(_status_errors(record))
    errors.update(_time_errors(occurrence, record, now))
    errors.update(_attendance_errors(record, units))
    if record.school is not None and (
        record.school.municipality_id != occurrence.municipality_id
        or not record.school.is_school_unit
    ):
        errors["school"] = _("Choose a school or preschool of the municipality.")
    errors.update(_content_errors(record))
    if errors:
        raise ValidationError(errors)


def _status_errors(record: OccurrenceRecord) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if record.status not in OccurrenceStatus.values:
        errors["status"] = _("Choose a status.")
    reason_needed = record.status in (OccurrenceStatus.CANCELLED, OccurrenceStatus.MOVED)
    if reason_needed and not record.status_reason.strip():
        errors["status_reason"] = (
            _("Give the reason the meeting was cancelled.")
            if record.status == OccurrenceStatus.CANCELLED
            else _("Give the reason the meeting was moved.")
        )
    return errors


def _time_errors(
    occurrence: Occurrence, record: OccurrenceRecord, now: datetime.datetime
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    new_time = record.starts_at != occurrence.starts_at
    if record.status == OccurrenceStatus.MOVED and not new_time:
        errors["date"] = _("The meeting is moved: enter its new date or start time.")
    elif record.status == OccurrenceStatus.PLANNED and new_time:
        errors["date"] = _(
            "To change the date or time, choose the status Moved and give the reason."
        )
    elif record.status == OccurrenceStatus.CANCELLED and new_time:
        errors["date"] = _(
            "A cancelled meeting keeps its date. To give it a new date, choose the status Moved."
        )
    if record.status == OccurrenceStatus.HELD and record.starts_at > now:
        errors["status"] = _(
            "The meeting starts on %(date)s: it can be recorded as held once it has started."
        ) % {"date": date_format(timezone.localtime(record.starts_at), "DATETIME_FORMAT")}
    return errors


def _attendance_errors(record: OccurrenceRecord, units: dict[int, Unit]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    unknown = set(record.attendance) - set(units)
    if unknown:
        errors["attendance"] = _("Attendance can only be given for the invited units.")
    if any(count < 0 for count in record.attendance.values()):
        errors["attendance"] = _("The number of participants can not be negative.")
    if record.status != OccurrenceStatus.HELD and any(record.attendance.values()):
        errors["attendance"] = _(
            "Attendance can only be recorded for a held meeting: choose the status Held, or "
            "leave the numbers empty."
        )
    return errors


def _content_errors(record: OccurrenceRecord) -> dict[str, Any]:
    """No identity numbers in the free text, and a minutes file that passes the upload checks."""
    errors: dict[str, Any] = {}
    try:
        check_no_identity_numbers(
            minutes=record.minutes, status_reason=record.status_reason, place=record.place
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if record.minutes_file is not None:
        try:
            validate_upload(record.minutes_file, max_bytes=settings.WHEEL_MINUTES_FILE_MAX_BYTES)
        except ValidationError as error:
            errors["minutes_file"] = error.messages
    return errors


def _record_values(occurrence: Occurrence) -> dict[str, Any]:
    return {
        "status": occurrence.status,
        "status_reason": occurrence.status_reason,
        "starts_at": occurrence.starts_at.isoformat(),
        "place": occurrence.place,
        "school": occurrence.school_id,
        "has_minutes": bool(occurrence.minutes),
        "minutes_file": occurrence.minutes_file_name,
    }


def occurrence_record(
    *,
    occurrence: Occurrence,
    actor: User,
    expected_version: int,
    record: OccurrenceRecord,
    now: datetime.datetime | None = None,
) -> Occurrence:
    """Record the status (a reason is required for cancelled and moved; moved and held may
    carry a new time), place, school, minutes (sanitised) or a minutes file, and attendance
    per unit (with the unit's sector; only for a held meeting).

    Optimistic locking: raises :class:`ConcurrentEditError` and changes nothing when the
    occurrence was recorded by someone else since ``expected_version`` was read. A minutes
    file the storage can not take changes nothing either (``FileNotStoredError``).
    """
    occurrence_policy.require(actor, RECORD, occurrence)
    now = now or timezone.now()
    with files_all_or_nothing("meeting minutes file", field="minutes_file"), transaction.atomic():
        locked = (
            Occurrence.objects.select_for_update()
            .select_related("series", "series__organiser_unit")
            .get(pk=occurrence.pk)
        )
        if locked.version != expected_version:
            raise ConcurrentEditError
        units = {unit.pk: unit for unit in attendance_units(locked)}
        _check_record(locked, record, units, now)
        old = _record_values(locked)
        mark_meetings(locked.municipality_id, [locked.starts_at, record.starts_at])
        length = locked.ends_at - locked.starts_at
        locked.status = record.status
        locked.status_reason = record.status_reason.strip()
        locked.starts_at = record.starts_at
        locked.ends_at = record.starts_at + length
        locked.place = record.place.strip()
        locked.school = record.school
        locked.minutes = user_text_to_html(record.minutes)
        if record.remove_minutes_file or record.minutes_file is not None:
            # The old file goes when the new state is committed, not before: a failed save
            # (e.g. a full disk for the new file) leaves the meeting as it was, file included.
            delete_on_commit(locked.minutes_file)
            locked.minutes_file = ""
            locked.minutes_file_name = ""
        if record.minutes_file is not None:
            locked.minutes_file_name = (record.minutes_file.name or "minutes")[:255]
            name = record.minutes_file.name or ""
            extension = name.rsplit(".", 1)[-1].lower() if "." in name else "bin"
            stored = f"{locked.uid.split('@')[0]}-{locked.version + 1}.{extension}"
            locked.minutes_file.save(stored, record.minutes_file, save=False)
            note_stored(locked.minutes_file)
        locked.version += 1
        locked.save()
        Attendance.objects.filter(occurrence=locked).delete()
        Attendance.objects.bulk_create(
            Attendance(
                occurrence=locked,
                unit=units[unit_id],
                sector=units[unit_id].sector,
                participants=count,
            )
            for unit_id, count in sorted(record.attendance.items())
            if count
        )
        audit_event_record(
            actor=actor,
            municipality=locked.municipality,
            event_type=AuditEventType.OCCURRENCE_RECORDED,
            obj=locked,
            old=old,
            new={
                **_record_values(locked),
                "participants": sum(count for count in record.attendance.values() if count),
            },
        )
    return locked


# --- decisions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionData:
    text: str
    resource: str = ""
    receiving_unit: Unit | None = None
    follow_up_on: datetime.date | None = None


def _check_decision(occurrence: Occurrence, data: DecisionData) -> None:
    errors: dict[str, Any] = {}
    if not data.text.strip():
        errors["text"] = _("Write the decision.")
    if occurrence.series.activity_type == ActivityType.RESOURCE_COUNCIL:
        if not data.resource.strip():
            errors["resource"] = _("Name the resource the resource council decided on.")
        if data.receiving_unit is None:
            errors["receiving_unit"] = _("Choose the unit that receives the resource.")
        if data.follow_up_on is None:
            errors["follow_up_on"] = _("Enter when the decision is followed up.")
    if data.receiving_unit is not None and (
        data.receiving_unit.municipality_id != occurrence.municipality_id
    ):
        errors["receiving_unit"] = _("Choose a unit of the municipality.")
    try:
        check_no_identity_numbers(text=data.text, resource=data.resource)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def _decision_values(decision: MeetingDecision) -> dict[str, Any]:
    return {
        "text": decision.text,
        "resource": decision.resource,
        "receiving_unit": decision.receiving_unit_id,
        "follow_up_on": decision.follow_up_on,
    }


def decision_add(*, occurrence: Occurrence, actor: User, data: DecisionData) -> MeetingDecision:
    """Add a decision to an occurrence; a resource council's names the resource, the receiving
    unit and the follow-up date."""
    occurrence_policy.require(actor, RECORD, occurrence)
    _check_decision(occurrence, data)
    with transaction.atomic():
        decision = MeetingDecision.objects.create(
            occurrence=occurrence,
            text=data.text.strip(),
            resource=data.resource.strip(),
            receiving_unit=data.receiving_unit,
            follow_up_on=data.follow_up_on,
        )
        audit_event_record(
            actor=actor,
            municipality=occurrence.municipality,
            event_type=AuditEventType.MEETING_DECISION_ADDED,
            obj=decision,
            new={"occurrence": occurrence.pk, **_decision_values(decision)},
        )
    return decision


def decision_update(
    *, decision: MeetingDecision, actor: User, data: DecisionData
) -> MeetingDecision:
    """Change a decision; one audit event holds what changed (nothing changed: no event)."""
    decision_policy.require(actor, RECORD, decision)
    occurrence = decision.occurrence
    _check_decision(occurrence, data)
    locked, _was_changed = model_update_audited(
        obj=decision,
        actor=actor,
        fields={
            "text": data.text.strip(),
            "resource": data.resource.strip(),
            "receiving_unit": data.receiving_unit,
            "follow_up_on": data.follow_up_on,
        },
        event_type=AuditEventType.MEETING_DECISION_UPDATED,
        municipality=occurrence.municipality,
    )
    return locked


# --- follow-up actions -------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionData:
    what: str
    owner: str
    due_on: datetime.date | None = None
    status: str = ActionStatus.OPEN


def _check_action(data: ActionData) -> None:
    errors: dict[str, Any] = {}
    if not data.what.strip():
        errors["what"] = _("Write what is to be done.")
    if not data.owner.strip():
        errors["owner"] = _("Write who is responsible for it.")
    if data.status not in ActionStatus.values:
        errors["status"] = _("Choose a status.")
    try:
        check_no_identity_numbers(what=data.what, owner=data.owner)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def _action_values(action: FollowUpAction) -> dict[str, Any]:
    return {
        "what": action.what,
        "owner": action.owner,
        "due_on": action.due_on,
        "status": action.status,
    }


def action_add(*, occurrence: Occurrence, actor: User, data: ActionData) -> FollowUpAction:
    """Add a follow-up action (what, who, by when) to an occurrence."""
    occurrence_policy.require(actor, RECORD, occurrence)
    _check_action(data)
    with transaction.atomic():
        action = FollowUpAction.objects.create(
            occurrence=occurrence,
            what=data.what.strip(),
            owner=data.owner.strip(),
            due_on=data.due_on,
            status=data.status,
        )
        audit_event_record(
            actor=actor,
            municipality=occurrence.municipality,
            event_type=AuditEventType.FOLLOW_UP_ACTION_ADDED,
            obj=action,
            new={"occurrence": occurrence.pk, **_action_values(action)},
        )
    return action


def action_update(*, action: FollowUpAction, actor: User, data: ActionData) -> FollowUpAction:
    """Change an action; one audit event holds what changed (nothing changed: no event)."""
    action_policy.require(actor, RECORD, action)
    _check_action(data)
    locked, _was_changed = model_update_audited(
        obj=action,
        actor=actor,
        fields={
            "what": data.what.strip(),
            "owner": data.owner.strip(),
            "due_on": data.due_on,
            "status": data.status,
        },
        event_type=AuditEventType.FOLLOW_UP_ACTION_UPDATED,
        municipality=action.occurrence.municipality,
    )
    return locked


def action_close(
    *, action: FollowUpAction, actor: User, status: str = ActionStatus.DONE
) -> FollowUpAction:
    """Close an action as done (or cancelled). Closing a closed action changes nothing."""
    action_policy.require(actor, RECORD, action)
    if status not in (ActionStatus.DONE, ActionStatus.CANCELLED):
        raise ValidationError({"status": _("An action is closed as done or cancelled.")})
    with transaction.atomic():
        locked = FollowUpAction.objects.select_for_update().get(pk=action.pk)
        if locked.status != ActionStatus.OPEN:
            return locked
        # Under the lock taken above, so two closings can not both pass the check.
        locked, _was_changed = model_update_audited(
            obj=locked,
            actor=actor,
            fields={"status": status},
            event_type=AuditEventType.FOLLOW_UP_ACTION_UPDATED,
            municipality=action.occurrence.municipality,
        )
    return locked
