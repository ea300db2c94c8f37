"""Access-log rows for the last weeks: who read which report, as the app writes them.

The mix follows who reads children's data: the intake reads most (the case owner above all),
authors look at their own reports and the feedback, principals follow their school's reports.
Reads fall on working days in office hours, more on Mondays, and only on reports that had
arrived by then. Each row names the rule that allowed it, as ``access.loaders`` logs it.
"""

import bisect
import datetime
import random
from itertools import accumulate

from access.models import AccessAction, AccessLog
from datagen.loader import Loader, Table
from datagen.organisations import Place
from datagen.reports import SeenReports
from datagen.timeline import WEEKDAY_WEIGHT, local_moment
from organisations.models import Role
from reports.models import ConcernReport
from reports.policies import AUTHOR_RULE, INTAKE_RULE, PRINCIPAL_RULE

COLUMNS = [
    "id", "occurred_at", "user_id", "username", "role", "unit_id", "municipality_id",
    "object_type", "object_id", "child_ref", "action", "rule", "request_id",
]  # fmt: skip
OBJECT_TYPE = ConcernReport._meta.label_lower
_ACTIONS: tuple[tuple[str, int], ...] = (
    (AccessAction.VIEW, 90),
    (AccessAction.PRINT, 4),
    (AccessAction.DOWNLOAD, 3),
    (AccessAction.SEARCH, 3),
)
_ACTION_CUMULATIVE = list(accumulate(weight for _action, weight in _ACTIONS))


def write_access_log(
    loader: Loader,
    parents: list[Table],
    places: list[Place],
    seen: dict[int, SeenReports],
    *,
    seed: int,
    as_of: datetime.date,
    days: int,
    rows: int,
) -> None:
    """About ``rows`` rows over the ``days`` days before ``as_of``, split between the
    municipalities by their number of reports, written day by day in time order."""
    table = loader.table(AccessLog, COLUMNS, parents)
    total_reports = sum(place.reports for place in places) or 1
    first = as_of - datetime.timedelta(days=days)
    day_list = [first + datetime.timedelta(days=offset) for offset in range(days)]
    weights = [WEEKDAY_WEIGHT[day.weekday()] ** 2 for day in day_list]  # weekends near empty
    weight_sum = sum(weights)
    rngs = {place.id: random.Random(f"{seed}:access:{place.index}") for place in places}
    carry = {place.id: 0.0 for place in places}
    for day, weight in zip(day_list, weights, strict=True):
        for place in places:
            reports = seen.get(place.id)
            if reports is None or not reports.recent:
                continue
            wanted = rows * place.reports / total_reports * weight / weight_sum + carry[place.id]
            count = int(wanted)
            carry[place.id] = wanted - count  # so small municipalities still get their share
            _day(loader, table, rngs[place.id], place, reports, day, count)
    table.flush()


def _day(
    loader: Loader,
    table: Table,
    rng: random.Random,
    place: Place,
    reports: SeenReports,
    day: datetime.date,
    count: int,
) -> None:
    if count == 0:
        return
    ids = loader.next_ids(AccessLog, count)
    # Office hours, 7.30 to 17.00, in time order.
    minutes = sorted(450 + rng.randrange(570) for _row in range(count))
    intake = place.staff["intake"]
    school_index = {unit_id: index for index, unit_id in enumerate(place.schools)}
    # 7.30 local time is after any switch to or from summer time (at 2 or 3 at night), so
    # every later minute of the day has its offset.
    opening = local_moment(day, 450)
    for row_id, minute in zip(ids, minutes, strict=True):
        moment = opening + datetime.timedelta(minutes=minute - 450)
        # Only reports that had arrived by then: ``recent`` is in arrival order.
        upto = bisect.bisect_left(reports.recent_arrivals, moment)
        if upto == 0:
            continue
        report_id, child_ref, author, school_unit, owner = reports.recent[rng.randrange(upto)]
        author_role = place.membership_of[author][0]
        draw = rng.random()
        if draw < 0.62 or author_role == Role.INTAKE:
            user = owner if owner is not None and draw < 0.45 else rng.choice(intake)
            rule = INTAKE_RULE
        elif draw < 0.88 or school_unit is None or author_role == Role.MEDICAL_STUDENT_HEALTH:
            # The principal never sees medical student health's reports.
            user, rule = author, AUTHOR_RULE
        else:
            user, rule = place.principal_by_school[school_index[school_unit]], PRINCIPAL_RULE
        role, unit_id = place.membership_of[user]
        action = _ACTIONS[bisect.bisect_left(_ACTION_CUMULATIVE, rng.random() * 100)][0]
        table.add(
            (
                row_id,
                moment,
                user,
                place.usernames[user],
                role,
                unit_id,
                place.id,
                OBJECT_TYPE,
                str(report_id),
                child_ref,
                action,
                rule,
                f"{rng.getrandbits(64):016x}",
            )
        )
