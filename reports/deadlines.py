"""Statutory deadlines of a report of concern, as pure functions of times and rules.

Every clock starts when the report arrives (LAW.md). Days are counted in Swedish local time
(Europe/Stockholm), whatever time zone the input is in, and a deadline is the end of its day:
23:59:59.999999 local time, returned as an aware datetime (so +01:00 in winter, +02:00 in
summer). The numbers and the legal references are data (:class:`DeadlineRules`), because the
law has just changed and a bill proposes more changes.

:func:`decision_was_late` (and :func:`decision_late_q`, its query form) is the one definition
of "not decided on time" for the report page, the inbox and later indicators.
"""

import datetime
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import F, Q

from organisations.calendar import swedish_holidays

if TYPE_CHECKING:
    from reports.models import ConcernReport

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class DeadlineRules:
    """The rules in force for one municipality; the defaults are the law's."""

    # Arrival at or after this local hour: the protection assessment is due the next day.
    protection_late_hour: int = 16
    decision_days: int = 14  # SoL 20 kap. 2 §
    # SoL 19 kap. 6 § as amended by SFS 2025:1501 (prop. 2025/26:12): feedback within one
    # week of the decision. Municipalities may set their own number of days.
    feedback_days: int = 7
    # The same paragraph: feedback is due at once when the reporter asks after that week, or
    # when the report was added to an investigation already ongoing. Off, a later request
    # gets ``feedback_days`` from the request (the rule before the amendment's deadline).
    feedback_at_once: bool = True
    # Lag (1930:173) om beräkning av lagstadgad tid: a last day on a Saturday, Sunday, public
    # holiday, midsommarafton, julafton or nyårsafton moves to the next working day.
    move_off_non_working_days: bool = True
    # Legal references shown beside each rule in the interface, in the standard form: the
    # paragraph of the act in force, and the former one in brackets where guidance still
    # cites it (LAW.md has the table).
    protection_reference: str = (
        "20 kap. 1 § socialtjänstlagen (2025:400) (tidigare 11 kap. 1 a § SoL)"
    )
    decision_reference: str = "20 kap. 2 § socialtjänstlagen (2025:400)"
    feedback_reference: str = (
        "19 kap. 6 § socialtjänstlagen (2025:400) (tidigare 14 kap. 1 b § SoL)"
    )
    # The duty to report, cited on the reporter's receipt.
    reporting_duty_reference: str = (
        "19 kap. 1 § socialtjänstlagen (2025:400) (tidigare 14 kap. 1 § SoL)"
    )

    def __post_init__(self) -> None:
        # Why: the rules come from settings and per-municipality records; a bad value must fail
        # loudly here rather than give quietly wrong deadlines.
        if not 0 <= self.protection_late_hour <= 24:
            raise ValueError("protection_late_hour must be from 0 to 24.")
        if self.decision_days < 0 or self.feedback_days < 0:
            raise ValueError("decision_days and feedback_days can not be negative.")


DEFAULT_RULES = DeadlineRules()


def _local(moment: datetime.datetime, name: str) -> datetime.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime.")
    # Through UTC: astimezone() to the zone a datetime already has returns it unchanged, so a
    # wall time that does not exist (02:30 on the spring-forward night) would keep its hour.
    return moment.astimezone(datetime.UTC).astimezone(STOCKHOLM)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last microsecond of ``day`` in Stockholm. Summer time starts and ends in the small
    hours, so this local time always exists and is never ambiguous."""
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=STOCKHOLM)


@functools.cache
def _holidays_of(year: int) -> frozenset[datetime.date]:
    # Cached per year: the inbox computes many deadlines and the calendar never changes.
    return frozenset(swedish_holidays(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))


def is_working_day(day: datetime.date) -> bool:
    """Not a Saturday, Sunday, public holiday, midsommarafton, julafton or nyårsafton."""
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def next_working_day(day: datetime.date) -> datetime.date:
    """``day`` itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def _last_day(start: datetime.date, days: int, rules: DeadlineRules) -> datetime.date:
    last = start + datetime.timedelta(days=days)
    return next_working_day(last) if rules.move_off_non_working_days else last


def protection_due(
    arrived_at: datetime.datetime, rules: DeadlineRules = DEFAULT_RULES
) -> datetime.datetime:
    """The end of the local day of arrival, or of the next day when the report arrived at or
    after ``protection_late_hour`` local time. Never moved off weekends or holidays: whether a
    child needs protection at once can not wait for Monday."""
    local = _local(arrived_at, "arrived_at")
    day = local.date()
    if local.hour >= rules.protection_late_hour:
        day += datetime.timedelta(days=1)
    return end_of_day(day)


def decision_due(
    arrived_at: datetime.datetime,
    rules: DeadlineRules = DEFAULT_RULES,
    extended_until: datetime.date | None = None,
) -> datetime.datetime:
    """The end of the local arrival date + ``decision_days``, moved to the next working day
    when the rules say so. A recorded extension replaces the computed date as it stands (it is
    a decided date, so it is not moved)."""
    arrival_day = _local(arrived_at, "arrived_at").date()
    if extended_until is not None:
        return end_of_day(extended_until)
    return end_of_day(_last_day(arrival_day, rules.decision_days, rules))


def feedback_due(
    decided_at: datetime.datetime,
    rules: DeadlineRules = DEFAULT_RULES,
    *,
    already_ongoing: bool = False,
    requested_at: datetime.datetime | None = None,
) -> datetime.datetime:
    """When the feedback is due to a reporter who asked for it (SoL 19 kap. 6 §).

    - Within the week: the end of the local decision date + ``feedback_days``, moved like
      the decision. A request made with the report, or before that day ends, waits for it.
    - At once (``feedback_at_once``): the end of the decision's day when the report was added
      to an investigation already ongoing (``already_ongoing``); the end of the request's day
      when the reporter asked (``requested_at``) after the week had ended.
    """
    decision_day = _local(decided_at, "decided_at").date()
    # A request made before the decision (with the report, usually) counts from the decision.
    request_day = decision_day
    if requested_at is not None:
        request_day = max(decision_day, _local(requested_at, "requested_at").date())
    if rules.feedback_at_once and already_ongoing:
        return end_of_day(request_day)
    within = end_of_day(_last_day(decision_day, rules.feedback_days, rules))
    if requested_at is None or requested_at <= within:
        return within
    if rules.feedback_at_once:
        return end_of_day(request_day)
    return end_of_day(_last_day(request_day, rules.feedback_days, rules))


# The statutory steps that have a deadline, in statutory order.
PROTECTION = "protection"
DECISION = "decision"
FEEDBACK = "feedback"


# The report's fields ``pending_steps`` reads: a list that reads only some columns
# (``.only()``) must read these to name a report's next step.
PENDING_STEP_FIELDS = (
    "protection_assessed_at",
    "protection_due_at",
    "decided_at",
    "decision_due_at",
    "decision_missed_due_at",
    "feedback_given_at",
    "feedback_due_at",
    "wants_feedback",
)


def pending_steps(report: "ConcernReport") -> list[tuple[str, datetime.datetime]]:
    """The steps not yet done that have a deadline, as (step, deadline), earliest first.

    The decision counts against the deadline that was missed when an extension came too late.
    Feedback is pending once its deadline was set (only when the reporter asked for it and the
    decision allows feedback) until it is given. The inbox's stored ``next_due_at`` is the
    first of these, and the "today" list names the step from here.
    """
    pending: list[tuple[str, datetime.datetime]] = []
    if report.protection_assessed_at is None and report.protection_due_at:
        pending.append((PROTECTION, report.protection_due_at))
    if report.decided_at is None and report.decision_due_at:
        pending.append((DECISION, report.decision_missed_due_at or report.decision_due_at))
    if report.feedback_given_at is None and report.feedback_due_at and report.wants_feedback:
        pending.append((FEEDBACK, report.feedback_due_at))
    # Stable: on the same moment the statutory order stays.
    return sorted(pending, key=lambda item: item[1])


def is_overdue(
    due: datetime.datetime, done_at: datetime.datetime | None, now: datetime.datetime
) -> bool:
    """True when a step is late: not done and ``now`` is past ``due``, or done after ``due``.

    A step done late stays overdue, so the report's history shows that the deadline was missed;
    to find steps that still need doing, also check that ``done_at`` is None.
    """
    for name, moment in (("due", due), ("now", now), ("done_at", done_at)):
        if moment is not None:
            _local(moment, name)
    if done_at is None:
        return now > due
    return done_at > due


def decision_was_late(report: "ConcernReport", *, now: datetime.datetime) -> bool:
    """True when the report counts as "not decided on time" (new SoL 20 kap. 2 §):

    - an extension was recorded after the decision deadline in force had passed
      (``decision_missed_due_at``): a late extension does not make the decision timely,
      whenever the decision then comes;
    - or the decision was made after its deadline (the extended one, when extended in time);
    - or it is not made yet and ``now`` is past that deadline.

    A report never submitted has no deadline and is never late. :func:`decision_late_q` is
    the same rule as a query filter; the two must not drift (tested together).
    """
    if report.decision_missed_due_at is not None:
        return True
    due = report.decision_due_at
    if due is None:
        return False
    if report.decided_at is not None:
        return report.decided_at > due
    return now > due


def decision_late_q(*, now: datetime.datetime) -> Q:
    """:func:`decision_was_late` as a filter on ``ConcernReport`` (for counts in SQL)."""
    return (
        Q(decision_missed_due_at__isnull=False)
        | Q(decided_at__isnull=False, decided_at__gt=F("decision_due_at"))
        | Q(decided_at__isnull=True, decision_due_at__lt=now)
    )
