"""SIP's numbers for the follow-up: what one municipality-month of plans counts in the summary
tables (``followup.rollups``, source "sip"), and which months a plan's change touches.

Only counts leave this module; the indicators built on them are defined in
``followup.catalogue`` (``SIP_INDICATORS``). Every row is for the whole municipality (``unit``
empty) and the sector of the convening unit as it was when the plan started.

What each metric counts:

``sip_started``, ``sip_started_from_report``
    plans started in the month (``started_at``: a convening unit started it, or took a
    proposal up; a proposal not taken up never starts), and of those the ones started from a
    report of concern.
``sip_follow_up_due``, ``sip_follow_up_on_time``
    follow-up dates in the month. A date is *answered* by a network meeting recorded as a
    follow-up (``is_follow_up``) for that date (``follow_up_due_on``); it is due once answered
    or once it has passed, and on time when the first meeting answering it was held on or
    before it. The plan's current follow-up date counts when the plan was made active and the
    date passed while the plan was open (a date on or after the closing day is not due).
``sip_active``, ``sip_active_responsible``
    plans active at the end of the month (for this month: now), i.e. made active before then
    and not closed by then, and of those the ones that name the overall responsible. A count
    at the month's end: a period takes its last month's (``MONTH_END_METRICS``).
``sip_closed_with_consent``, ``sip_consent_ended_first``
    plans closed in the month (not proposals declined) that had a SIP consent in force at some
    time before the closing day, and of those the ones where every such consent had been
    withdrawn, or had passed its last valid day, before the plan was closed.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from sip.models import CloseReason, Consent, ConsentPurpose, NetworkMeeting, Plan, PlanStatus

STOCKHOLM = ZoneInfo("Europe/Stockholm")

Key = tuple[int | None, str, str]  # (unit id, sector, metric), as followup.rollups


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, STOCKHOLM).date()


def _moment(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=STOCKHOLM)


def plan_counts(
    municipality_id: int, month: datetime.date, *, now: datetime.datetime
) -> Counter[Key]:
    """The counts of one municipality-month (five queries, whatever the number of plans)."""
    counts: Counter[Key] = Counter()
    following = _next_month(month)
    start, end = _moment(month), _moment(following)
    plans = Plan.objects.filter(municipality_id=municipality_id)
    for sector, report_id in plans.filter(started_at__gte=start, started_at__lt=end).values_list(
        "convening_sector", "report_id"
    ):
        counts[(None, sector, "sip_started")] += 1
        if report_id is not None:
            counts[(None, sector, "sip_started_from_report")] += 1
    _count_follow_ups(counts, plans, month, following, today=_local_day(now))
    if start <= now:
        _count_active(counts, plans, min(end, now))
    _count_consent_ended(counts, plans, start, end)
    return counts


def _count_follow_ups(
    counts: Counter[Key],
    plans: QuerySet[Plan],
    month: datetime.date,
    following: datetime.date,
    *,
    today: datetime.date,
) -> None:
    # The first meeting answering each (plan, date): a second follow-up meeting for the same
    # date does not make the date count twice.
    answered: dict[tuple[int, datetime.date], tuple[str, datetime.date]] = {}
    meetings = NetworkMeeting.objects.filter(
        plan__in=plans,
        is_follow_up=True,
        follow_up_due_on__gte=month,
        follow_up_due_on__lt=following,
    ).values_list("plan_id", "plan__convening_sector", "follow_up_due_on", "held_on")
    for plan_id, sector, due_on, held_on in meetings:
        assert due_on is not None  # filtered on it
        key = (plan_id, due_on)
        if key not in answered or held_on < answered[key][1]:
            answered[key] = (sector, held_on)
    for (_plan_id, due_on), (sector, held_on) in answered.items():
        counts[(None, sector, "sip_follow_up_due")] += 1
        if held_on <= due_on:
            counts[(None, sector, "sip_follow_up_on_time")] += 1
    passed = plans.filter(
        activated_at__isnull=False,
        follow_up_on__gte=month,
        follow_up_on__lt=min(following, today),
    ).values_list("pk", "convening_sector", "follow_up_on", "closed_at")
    for plan_id, sector, due_on, closed_at in passed:
        assert due_on is not None  # filtered on it
        if (plan_id, due_on) in answered:
            continue
        if closed_at is not None and due_on >= _local_day(closed_at):
            continue  # closed before the date came: nothing was due
        counts[(None, sector, "sip_follow_up_due")] += 1


def _count_active(counts: Counter[Key], plans: QuerySet[Plan], moment: datetime.datetime) -> None:
    active = plans.filter(activated_at__lt=moment).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=moment)
    )
    for sector, responsible_id in active.values_list("convening_sector", "responsible_id"):
        counts[(None, sector, "sip_active")] += 1
        if responsible_id is not None:
            counts[(None, sector, "sip_active_responsible")] += 1


def _count_consent_ended(
    counts: Counter[Key],
    plans: QuerySet[Plan],
    start: datetime.datetime,
    end: datetime.datetime,
) -> None:
    closed = {
        pk: (sector, closed_at)
        for pk, sector, closed_at in plans.filter(
            status=PlanStatus.CLOSED, closed_at__gte=start, closed_at__lt=end
        )
        .exclude(close_reason=CloseReason.PROPOSAL_DECLINED)
        .values_list("pk", "convening_sector", "closed_at")
    }
    if not closed:
        return
    consents: dict[int, list[bool]] = defaultdict(list)  # per plan: has each consent ended?
    for plan_id, valid_from, valid_until, withdrawn_at in Consent.objects.filter(
        plan_id__in=closed, purpose=ConsentPurpose.SIP
    ).values_list("plan_id", "valid_from", "valid_until", "withdrawn_at"):
        sector, closed_at = closed[plan_id]
        assert closed_at is not None  # filtered on it
        closing_day = _local_day(closed_at)
        if valid_from > closing_day:
            continue  # it never held while the plan was open
        ended = (withdrawn_at is not None and withdrawn_at <= closed_at) or (
            valid_until is not None and valid_until < closing_day
        )
        consents[plan_id].append(ended)
    for plan_id, each_ended in consents.items():
        sector = closed[plan_id][0]
        counts[(None, sector, "sip_closed_with_consent")] += 1
        if all(each_ended):
            counts[(None, sector, "sip_consent_ended_first")] += 1


# --- which buckets a plan touches -------------------------------------------------------------


def _months_between(first: datetime.date, last: datetime.date) -> Iterable[datetime.date]:
    month = _month_start(first)
    while month <= last:
        yield month
        month = _next_month(month)


def plan_months(plans: QuerySet[Plan], *, now: datetime.datetime) -> set[tuple[int, datetime.date]]:
    """(municipality id, month) of every bucket the plans count in: the months they started,
    closed, had a follow-up date or a follow-up meeting's date, and every month they were
    active in (two queries)."""
    this_month = _month_start(_local_day(now))
    months: set[tuple[int, datetime.date]] = set()
    for mid, started_at, activated_at, closed_at, follow_up_on in plans.values_list(
        "municipality_id", "started_at", "activated_at", "closed_at", "follow_up_on"
    ):
        for moment in (started_at, closed_at):
            if moment is not None:
                months.add((mid, _month_start(_local_day(moment))))
        if follow_up_on is not None:
            months.add((mid, _month_start(follow_up_on)))
        if activated_at is not None:
            last = _month_start(_local_day(closed_at)) if closed_at else this_month
            for month in _months_between(_local_day(activated_at), min(last, this_month)):
                months.add((mid, month))
    for mid, due_on in NetworkMeeting.objects.filter(
        plan__in=plans, is_follow_up=True, follow_up_due_on__isnull=False
    ).values_list("plan__municipality_id", "follow_up_due_on"):
        if due_on is not None:
            months.add((mid, _month_start(due_on)))
    return months


def time_dependent_plans(since: datetime.datetime, now: datetime.datetime) -> QuerySet[Plan]:
    """The plans whose counts may have changed with time alone or without a mark: a
    follow-up date passed, or the plan was saved (by a service that marks nothing)."""
    return Plan.objects.filter(
        Q(follow_up_on__range=(_local_day(since), _local_day(now)))
        | Q(updated_at__range=(since, now))
    )
