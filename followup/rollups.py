"""Keeping the summary tables (:class:`followup.models.Rollup`) up to date.

A *bucket* is one municipality, one source and one month. It is always recomputed whole from
the raw rows of that municipality-month (never more), in one transaction, so recomputing is
idempotent and the incremental path and a full rebuild give the same rows.

- The services that change a report, a meeting or a read confirmation call ``mark_*`` in
  their transaction; when it commits, a task (``followup.tasks.refresh_rollups``) recomputes
  the marked buckets (:func:`changes_process`).
- Some numbers change with time alone: a deadline passes, a planned meeting's day passes. The
  periodic command ``followup_refresh`` (run hourly) marks the buckets whose deadlines or
  meetings fell within the last ``TIME_WINDOW`` and the month's read-confirmation snapshot,
  then processes every mark.
- ``followup_rebuild`` recomputes every bucket from scratch.

What each metric counts (reports by their month of arrival, meetings by their month):

reports, whole municipality (the handling intake; ``unit`` empty), from every source
    ``reports`` arrived; ``protection_due`` protection assessments done or overdue,
    ``protection_on_time`` done by the deadline; ``decision_due`` decisions (other than
    forwarding) made or overdue, ``decision_on_time`` made in time (``reports.deadlines.
    decision_was_late``: a late extension counts as late); ``decided`` and ``decision_days_N``
    (days from arrival to decision, ``N`` capped at ``MAX_DAYS``); ``investigation`` decisions
    that led to an investigation (opened, or added to an ongoing one); ``feedback_due``
    requested feedback given or overdue, ``feedback_on_time`` given by its deadline.
reports, per school (``unit`` = the school, ``sector`` = the reporter's sector; reports from
school only, not those the intake registers from the police, health care or the public)
    ``sent``, ``sent_feedback_requested``, ``sent_feedback_given``.
wheel (``unit`` = the school of a per-school meeting, or empty)
    ``occ_due`` meetings whose day has passed (held, cancelled or still planned),
    ``occ_held``, ``occ_no_minutes`` held without minutes, ``held_intake_principal``,
    ``held_parent_meeting``; per sector (``unit`` empty): ``attended`` held meetings the
    sector attended and ``participants``.
governance (a snapshot of the month)
    ``staff`` and ``staff_confirmed`` (persons who confirmed the current routine) per unit,
    per sector and in the whole municipality (``unit`` empty, ``sector`` empty).
sip (coordinated individual plans; ``unit`` empty, ``sector`` = the convening sector)
    plans started, follow-up dates due and met, plans active at the month's end and those
    naming the overall responsible, plans closed with a consent and those whose consent ended
    first: see ``sip.indicators``.
"""

import datetime
import zlib
from collections import Counter
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from followup.models import Rollup, RollupChange, RollupSource
from followup.periods import add_months, month_start
from governance.selectors import main_routine_version
from governance.shares import read_shares
from organisations.followup_stamp import followup_restamp, followup_restamp_all
from organisations.models import Municipality
from reports.deadlines import decision_was_late
from reports.models import ConcernReport, Decision
from sip.indicators import plan_counts, plan_months, time_dependent_plans
from sip.models import Plan
from wheel.models import ActivityType, Attendance, Occurrence, OccurrenceStatus

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MAX_DAYS = 120
# The periodic refresh looks this far back for deadlines and meeting days that passed; it must
# run at least this often (hourly is the default schedule).
TIME_WINDOW = datetime.timedelta(days=3)

Key = tuple[int | None, str, str]  # (unit id, sector, metric)
_ROLLUP_COLUMNS = ("municipality_id", "source", "month", "unit_id", "sector", "metric", "value")
_DECISION_DAYS = [f"decision_days_{days}" for days in range(MAX_DAYS + 1)]


def local_month(moment: datetime.datetime) -> datetime.date:
    return month_start(timezone.localtime(moment, STOCKHOLM).date())


def _month_range(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(month, datetime.time(), tzinfo=STOCKHOLM)
    end = datetime.datetime.combine(add_months(month, 1), datetime.time(), tzinfo=STOCKHOLM)
    return start, end


# --- marking ---------------------------------------------------------------------------------


def mark_changed(
    marks: Iterable[tuple[int, str, datetime.date]], *, now: datetime.datetime | None = None
) -> None:
    """Mark buckets (municipality id, source, month) as changed, and have them recomputed when
    the current transaction commits."""
    rows = [
        RollupChange(
            municipality_id=mid, source=source, month=month, marked_at=now or timezone.now()
        )
        for mid, source, month in set(marks)
    ]
    if not rows:
        return
    RollupChange.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["municipality", "source", "month"],
        update_fields=["marked_at"],
    )
    from followup.tasks import enqueue_refresh

    transaction.on_commit(enqueue_refresh)


def mark_report(report: object) -> None:
    """A report changed: its month in the handling municipality and, for a report from school,
    the school's."""
    submitted_at = getattr(report, "submitted_at", None)
    if submitted_at is None:
        return  # a draft counts nowhere
    month = local_month(submitted_at)
    marks = [(report.municipality_id, RollupSource.REPORTS, month)]  # type: ignore[attr-defined]
    school = getattr(report, "school_unit", None)
    if school is not None:
        marks.append((school.municipality_id, RollupSource.REPORTS, month))
    mark_changed(marks)


def mark_meetings(municipality_id: int, moments: Iterable[datetime.datetime]) -> None:
    """Meetings of the annual wheel changed (recorded, planned or replanned) at ``moments``."""
    mark_changed((municipality_id, RollupSource.WHEEL, local_month(m)) for m in moments)


def mark_plan(plan: object) -> None:
    """A coordinated plan changed (content, state, consent, meeting): every month it counts in
    (``sip.indicators.plan_months``) is recomputed when the transaction commits."""
    pk = getattr(plan, "pk", None)
    if pk is None:
        return
    months = plan_months(Plan.objects.filter(pk=pk), now=timezone.now())
    mark_changed((mid, RollupSource.SIP, month) for mid, month in months)


def mark_read_confirmations(municipality_id: int) -> None:
    """A read confirmation or a new version: this month's snapshot is out of date."""
    mark_changed([(municipality_id, RollupSource.GOVERNANCE, month_start(timezone.localdate()))])


# --- computing a bucket --------------------------------------------------------------------


def bucket_rows(
    municipality_id: int, source: str, month: datetime.date, *, now: datetime.datetime
) -> list[Rollup]:
    """The rows of one bucket computed from the raw data (nothing is written)."""
    if source == RollupSource.REPORTS:
        counts = _report_counts(municipality_id, month, now)
    elif source == RollupSource.WHEEL:
        counts = _wheel_counts(municipality_id, month, now)
    elif source == RollupSource.SIP:
        counts = plan_counts(municipality_id, month, now=now)
    else:
        counts = _governance_counts(municipality_id, now)
    return _rows_of(municipality_id, source, month, counts)


def _values_of(
    municipality_id: int, source: str, month: datetime.date, counts: Counter[Key]
) -> list[tuple[Any, ...]]:
    """One bucket's counts as its rows' values (``_ROLLUP_COLUMNS``), in a fixed order,
    without the zeros."""
    return [
        (municipality_id, source, month, unit_id, sector, metric, value)
        for (unit_id, sector, metric), value in sorted(
            counts.items(), key=lambda item: (item[0][0] or 0, item[0][1], item[0][2])
        )
        if value
    ]


def _rows_of(
    municipality_id: int, source: str, month: datetime.date, counts: Counter[Key]
) -> list[Rollup]:
    return [
        Rollup(**dict(zip(_ROLLUP_COLUMNS, values, strict=True)))
        for values in _values_of(municipality_id, source, month, counts)
    ]


# Advisory locks (PostgreSQL) that serialise the writers of a bucket. Without them two
# workers refreshing the same bucket under READ COMMITTED both delete the (same, old) rows and
# both insert: the numbers double. The rebuild takes ``REBUILD_LOCK`` exclusively; every
# bucket refresh takes it shared, so no refresh interleaves with a rebuild's delete-all.
# SQLite serialises writing transactions itself.
LOCK_SPACE = 0x5A3F  # the first key of every lock of this module (an arbitrary constant)
REBUILD_LOCK = 0


def _bucket_lock_key(municipality_id: int, source: str, month: datetime.date) -> int:
    """A stable 32-bit key per bucket (zlib.crc32 is stable across processes, hash() is not)."""
    digest = zlib.crc32(f"{municipality_id}:{source}:{month:%Y-%m}".encode())
    return digest - 2**32 if digest >= 2**31 else digest or 1


def _advisory_lock(sql: str, key: int) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, [LOCK_SPACE, key])


def _lock_bucket(municipality_id: int, source: str, month: datetime.date) -> None:
    _advisory_lock("SELECT pg_advisory_xact_lock_shared(%s, %s)", REBUILD_LOCK)
    _advisory_lock(
        "SELECT pg_advisory_xact_lock(%s, %s)", _bucket_lock_key(municipality_id, source, month)
    )


def bucket_refresh(
    municipality_id: int,
    source: str,
    month: datetime.date,
    *,
    now: datetime.datetime,
    restamp: bool = True,
) -> int:
    """Replace one bucket with its recomputed rows; the number of rows written. ``restamp``:
    renew the municipality's follow-up stamp when the numbers changed (the rebuild renews
    every stamp once, at its end)."""
    with transaction.atomic():
        _lock_bucket(municipality_id, source, month)
        # Computed under the lock, so that the last refresh to write has read the latest rows.
        rows = bucket_rows(municipality_id, source, month, now=now)
        bucket = Rollup.objects.filter(municipality_id=municipality_id, source=source, month=month)
        if _contents(rows) != _contents(bucket):
            bucket.delete()
            Rollup.objects.bulk_create(rows)
            # The dashboards kept with the old numbers are not used again; a recount that
            # changed nothing (the hourly refresh, a note added to a report) keeps them.
            # Locks: the bucket's, then the municipality's row, always in that order.
            if restamp:
                followup_restamp([municipality_id])
    return len(rows)


def _contents(rows: Iterable[Rollup]) -> Counter[tuple[int | None, str, str, int]]:
    return Counter((row.unit_id, row.sector, row.metric, row.value) for row in rows)


# What the report counts read of each report. The school's municipality is an annotation,
# so the row needs no join to build a unit.
_REPORT_FIELDS = (
    "municipality_id",
    "school_unit_id",
    "school_municipality_id",
    "author_sector",
    "submitted_at",
    "protection_due_at",
    "protection_assessed_at",
    "decision_due_at",
    "decision_missed_due_at",
    "decided_at",
    "decision",
    "wants_feedback",
    "feedback_due_at",
    "feedback_given_at",
)


def _report_counts(
    municipality_id: int, month: datetime.date, now: datetime.datetime
) -> Counter[Key]:

    start, end = _month_range(month)
    counts: Counter[Key] = Counter()
    # Plain rows, not models: the rebuild reads every report once (7 million nationally),
    # and building a model instance per row was most of its time.
    month_rows = _report_rows().filter(submitted_at__gte=start, submitted_at__lt=end)
    # Two queries, each along an index (report_municipality_month, report_school_order):
    # one with "municipality OR school's municipality" read every report of the month in the
    # country (60,000 nationally) for each municipality's bucket.
    for report in month_rows.filter(municipality_id=municipality_id):
        _count_report(report, now, intake=counts, school=None)
    for report in month_rows.filter(school_unit__municipality_id=municipality_id):
        _count_report(report, now, intake=None, school=counts)
    return counts


def _report_rows() -> Any:
    """Every report as a row of ``_REPORT_FIELDS``, in no order."""
    return (
        ConcernReport.objects.annotate(school_municipality_id=F("school_unit__municipality_id"))
        .order_by()
        .values_list(*_REPORT_FIELDS, named=True)
    )


def _count_report(
    report: Any,
    now: datetime.datetime,
    *,
    intake: Counter[Key] | None,
    school: Counter[Key] | None,
) -> None:
    """Count one report (a row of ``_REPORT_FIELDS``) into the intake's bucket of its month
    and into its school's, when it has them."""
    # Every report counts for the intake's timeliness, whoever made it.
    if intake is not None:
        _count_intake(intake, report, now)
    # Only a report from school counts for the school (reports per 100 pupils, feedback).
    if school is not None and report.school_unit_id is not None:
        where: Key = (report.school_unit_id, report.author_sector, "")
        _add(school, where, "sent")
        if report.wants_feedback:
            _add(school, where, "sent_feedback_requested")
        if report.feedback_given_at is not None:
            _add(school, where, "sent_feedback_given")


def _add(counts: Counter[Key], where: Key, metric: str) -> None:
    counts[(where[0], where[1], metric)] += 1


def _count_intake(counts: Counter[Key], report: Any, now: datetime.datetime) -> None:
    """``report``: a row of ``_REPORT_FIELDS`` (or a report: the same names). The counts are
    the whole intake's (no unit, no sector); written out, not through ``_add``, since the
    rebuild runs this for every report there is."""
    counts[(None, "", "reports")] += 1
    assessed = report.protection_assessed_at
    if assessed is not None or (report.protection_due_at and report.protection_due_at < now):
        counts[(None, "", "protection_due")] += 1
        if (
            assessed is not None
            and report.protection_due_at
            and assessed <= report.protection_due_at
        ):
            counts[(None, "", "protection_on_time")] += 1
    if report.decision == Decision.FORWARDED:
        return  # decided by the municipality it was sent to
    late = decision_was_late(report, now=now)
    if report.decided_at is not None or late:
        counts[(None, "", "decision_due")] += 1
        if report.decided_at is not None and not late:
            counts[(None, "", "decision_on_time")] += 1
    if report.decided_at is None:
        return
    counts[(None, "", "decided")] += 1
    days = (
        report.decided_at.astimezone(STOCKHOLM).date()
        - report.submitted_at.astimezone(STOCKHOLM).date()
    ).days
    counts[(None, "", _DECISION_DAYS[min(max(days, 0), MAX_DAYS)])] += 1
    if report.decision in (Decision.OPENED, Decision.ADDED_TO_ONGOING):
        counts[(None, "", "investigation")] += 1
    given = report.feedback_given_at
    due = report.feedback_due_at
    if report.wants_feedback and (given is not None or (due is not None and due < now)):
        counts[(None, "", "feedback_due")] += 1
        if given is not None and (due is None or given <= due):
            counts[(None, "", "feedback_on_time")] += 1


def _wheel_counts(
    municipality_id: int, month: datetime.date, now: datetime.datetime
) -> Counter[Key]:

    start, end = _month_range(month)
    counts: Counter[Key] = Counter()
    occurrences = list(
        Occurrence.objects.filter(
            municipality_id=municipality_id, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("series")
        .only(
            "school_id", "status", "starts_at", "minutes", "minutes_file", "series__activity_type"
        )
        .order_by()
    )
    held_ids = []
    for occurrence in occurrences:
        where: Key = (occurrence.school_id, "", "")
        held = occurrence.status == OccurrenceStatus.HELD
        if held or occurrence.status == OccurrenceStatus.CANCELLED or occurrence.starts_at < now:
            _add(counts, where, "occ_due")
        if not held:
            continue
        held_ids.append(occurrence.pk)
        _add(counts, where, "occ_held")
        if not occurrence.minutes.strip() and not occurrence.minutes_file:
            _add(counts, where, "occ_no_minutes")
        kind = occurrence.series.activity_type
        if kind == ActivityType.INTAKE_PRINCIPAL:
            _add(counts, where, "held_intake_principal")
        elif kind == ActivityType.PARENT_MEETING_VISIT:
            _add(counts, where, "held_parent_meeting")
    attendance = Attendance.objects.filter(occurrence_id__in=held_ids).values_list(
        "occurrence_id", "sector", "participants"
    )
    attended: set[tuple[int, str]] = set()
    for occurrence_id, sector, participants in attendance:
        counts[(None, sector, "participants")] += participants
        attended.add((occurrence_id, sector))
    for _occurrence_id, sector in attended:
        counts[(None, sector, "attended")] += 1
    return counts


def _governance_counts(municipality_id: int, now: datetime.datetime) -> Counter[Key]:

    counts: Counter[Key] = Counter()
    found = main_routine_version(municipality_id)
    if found is None:
        return counts
    document, version = found
    shares = read_shares(document, version, today=timezone.localtime(now, STOCKHOLM).date())
    for row in shares.units:
        counts[(int(row.key), row.sector, "staff")] = row.members.value
        counts[(int(row.key), row.sector, "staff_confirmed")] = row.confirmed.value
    for row in shares.sectors:
        counts[(None, row.sector, "staff")] = row.members.value
        counts[(None, row.sector, "staff_confirmed")] = row.confirmed.value
    counts[(None, "", "staff")] = shares.total.members.value
    counts[(None, "", "staff_confirmed")] = shares.total.confirmed.value
    return counts


# --- processing marks, the periodic refresh and the rebuild ----------------------------------


def changes_process(*, now: datetime.datetime | None = None) -> int:
    """Recompute every marked bucket; the number of buckets. A mark made again while its
    bucket was being recomputed stays for the next run. Several workers may run this at once:
    each bucket is replaced whole in its own transaction under the bucket's lock, so they take
    turns and the last one wins with the same rows."""
    now = now or timezone.now()
    done = 0
    for change in list(RollupChange.objects.order_by("marked_at", "id")):
        bucket_refresh(change.municipality_id, change.source, change.month, now=now)
        RollupChange.objects.filter(pk=change.pk, marked_at__lte=change.marked_at).delete()
        done += 1
    return done


def mark_time_dependent(*, now: datetime.datetime) -> None:
    """Mark the buckets whose numbers changed because time passed: a deadline of a step not
    done, or the day of a planned meeting, fell within ``TIME_WINDOW``; and this month's
    read-confirmation snapshot of every municipality."""

    since = now - TIME_WINDOW
    passed = (
        Q(protection_assessed_at__isnull=True, protection_due_at__range=(since, now))
        | Q(decided_at__isnull=True, decision_due_at__range=(since, now))
        | Q(feedback_given_at__isnull=True, feedback_due_at__range=(since, now))
    )
    marks: set[tuple[int, str, datetime.date]] = set()
    for mid, school_mid, submitted_at in ConcernReport.objects.filter(passed).values_list(
        "municipality_id", "school_unit__municipality_id", "submitted_at"
    ):
        if submitted_at is not None:
            marks.add((mid, RollupSource.REPORTS, local_month(submitted_at)))
            if school_mid is not None:  # a report from school
                marks.add((school_mid, RollupSource.REPORTS, local_month(submitted_at)))
    for mid, starts_at in Occurrence.objects.filter(
        status__in=[OccurrenceStatus.PLANNED, OccurrenceStatus.MOVED],
        starts_at__range=(since, now),
    ).values_list("municipality_id", "starts_at"):
        marks.add((mid, RollupSource.WHEEL, local_month(starts_at)))
    this_month = month_start(timezone.localtime(now, STOCKHOLM).date())
    for mid in Municipality.objects.values_list("pk", flat=True):
        marks.add((mid, RollupSource.GOVERNANCE, this_month))
    marks |= _sip_time_dependent(since, now, this_month)
    mark_changed(marks, now=now)


def _sip_time_dependent(
    since: datetime.datetime, now: datetime.datetime, this_month: datetime.date
) -> set[tuple[int, str, datetime.date]]:
    """Plans: the months of those whose follow-up date passed or that were saved within the
    window, and this month and the last of every municipality with a plan (the plans active
    now, and at the end of a month that ended since the last run)."""
    marks: set[tuple[int, str, datetime.date]] = {
        (mid, RollupSource.SIP, month)
        for mid, month in plan_months(time_dependent_plans(since, now), now=now)
    }
    for mid in Plan.objects.values_list("municipality_id", flat=True).distinct().order_by():
        marks.add((mid, RollupSource.SIP, this_month))
        marks.add((mid, RollupSource.SIP, add_months(this_month, -1)))
    return marks


def all_report_counts(*, now: datetime.datetime) -> dict[tuple[int, datetime.date], Counter[Key]]:
    """The reports' buckets, (municipality, month) -> counts, in one pass over every report:
    the rebuild reads 7 million reports nationally, where a query per bucket and a model per
    report took minutes."""
    buckets: dict[tuple[int, datetime.date], Counter[Key]] = {}
    for report in _report_rows().filter(submitted_at__isnull=False).iterator(chunk_size=20_000):
        month = local_month(report.submitted_at)
        intake = buckets.get((report.municipality_id, month))
        if intake is None:
            intake = buckets[(report.municipality_id, month)] = Counter()
        school = None
        if report.school_municipality_id is not None:
            school = buckets.get((report.school_municipality_id, month))
            if school is None:
                school = buckets[(report.school_municipality_id, month)] = Counter()
        _count_report(report, now, intake=intake, school=school)
    return buckets


def other_buckets(*, now: datetime.datetime) -> set[tuple[int, str, datetime.date]]:
    """Every bucket of the wheel, the plans and the governance that has raw rows, and this
    month's governance snapshot."""

    buckets: set[tuple[int, str, datetime.date]] = set()
    for mid, starts_at in Occurrence.objects.values_list("municipality_id", "starts_at"):
        buckets.add((mid, RollupSource.WHEEL, local_month(starts_at)))
    this_month = month_start(timezone.localtime(now, STOCKHOLM).date())
    for mid in Municipality.objects.values_list("pk", flat=True):
        buckets.add((mid, RollupSource.GOVERNANCE, this_month))
    for mid, month in plan_months(Plan.objects.all(), now=now):
        buckets.add((mid, RollupSource.SIP, month))
    return buckets


def rebuild(*, now: datetime.datetime | None = None) -> int:
    """Recompute the summary tables from scratch; the number of buckets. The reports and the
    wheel are recomputed whole; read confirmations are snapshots, so past months keep the
    snapshot taken then and only this month's is recomputed."""
    now = now or timezone.now()
    with transaction.atomic():
        _advisory_lock("SELECT pg_advisory_xact_lock(%s, %s)", REBUILD_LOCK)
        # Counted under the lock: no refresh writes meanwhile, and none waits on a row of ours.
        reports = all_report_counts(now=now)
        others = other_buckets(now=now)
        Rollup.objects.exclude(source=RollupSource.GOVERNANCE).delete()
        RollupChange.objects.all().delete()
        _insert(
            values
            for (municipality_id, month), counts in sorted(reports.items())
            for values in _values_of(municipality_id, RollupSource.REPORTS, month, counts)
        )
        for municipality_id, source, month in sorted(others):
            # Not restamped per bucket: this transaction would hold a municipality's row
            # while it waits for the next bucket's lock, which a refresh may hold while it
            # waits for that row (a deadlock).
            bucket_refresh(municipality_id, source, month, now=now, restamp=False)
        followup_restamp_all()  # once, at the end: the deleted buckets' municipalities too
    return len(reports) + len(others)


def _insert(rows: Iterable[tuple[Any, ...]]) -> None:
    """Write rows (``_ROLLUP_COLUMNS``' values) that are their buckets' only copy: with COPY
    on PostgreSQL (a national rebuild writes millions), in batches elsewhere."""
    if connection.vendor != "postgresql":
        Rollup.objects.bulk_create(
            (Rollup(**dict(zip(_ROLLUP_COLUMNS, values, strict=True))) for values in rows),
            batch_size=2_000,
        )
        return
    table = connection.ops.quote_name(Rollup._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in _ROLLUP_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for values in rows:
            copy.write_row(values)
