"""When things happen: days weighted by weekday and season, and times of day by source.

Reports of concern peak on Mondays (what happened over the weekend comes out) and fall in
July and over Christmas, when school is closed and fewer adults see the children. Schools
report in school hours; the police and the public also in the evening and at night.
"""

import bisect
import datetime
import random
from itertools import accumulate
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# Monday first. Weekends are quiet but not empty (the police and the public report then).
WEEKDAY_WEIGHT = (1.45, 1.15, 1.1, 1.05, 0.95, 0.3, 0.25)
# January first: the summer break empties July and most of June's end; August starts late.
MONTH_WEIGHT = (0.95, 1.05, 1.1, 1.0, 1.1, 0.85, 0.35, 0.75, 1.15, 1.1, 1.1, 0.8)
# Reports grow a little every year (more awareness, the new duty to report).
YEARLY_GROWTH = 1.03


def _day_weight(day: datetime.date, first: datetime.date) -> float:
    weight = WEEKDAY_WEIGHT[day.weekday()] * MONTH_WEIGHT[day.month - 1]
    if (day.month == 12 and day.day >= 21) or (day.month == 1 and day.day <= 6):
        weight *= 0.5  # the Christmas break
    return weight * YEARLY_GROWTH ** ((day - first).days / 365.25)


class DaySampler:
    """Draws days between ``first`` and ``last`` (inclusive) with the weights above."""

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        self.first = first
        count = (last - first).days + 1
        self.days = [first + datetime.timedelta(days=offset) for offset in range(count)]
        self.cumulative = list(accumulate(_day_weight(day, first) for day in self.days))

    def index_of(self, day: datetime.date) -> int:
        return min(max((day - self.first).days, 0), len(self.days) - 1)

    def draw(self, rng: random.Random, low: int = 0, high: int | None = None) -> int:
        """The index of a day in ``[low, high]`` (all days by default), weighted."""
        high = len(self.days) - 1 if high is None else high
        below = self.cumulative[low - 1] if low > 0 else 0.0
        point = below + rng.random() * (self.cumulative[high] - below)
        return min(bisect.bisect_left(self.cumulative, point, low, high + 1), high)


def _minute_table(hour_weights: list[float]) -> list[float]:
    return list(accumulate(hour_weights[minute // 60] for minute in range(24 * 60)))


# Schools: from 7 to 17, most in the late morning and early afternoon.
_SCHOOL_HOURS = _minute_table(
    [0, 0, 0, 0, 0, 0, 0, 0.3, 1.0, 1.6, 2.0, 1.8, 1.6, 2.0, 1.8, 1.2, 0.6, 0.2, 0, 0, 0, 0, 0, 0]
)
# Everyone else: office hours mostly, but at any time of day (the police at night).
_OTHER_HOURS = _minute_table(
    [
        0.3,
        0.25,
        0.2,
        0.15,
        0.15,
        0.2,
        0.3,
        0.6,
        1.3,
        1.6,
        1.6,
        1.4,
        1.2,
        1.5,
        1.5,
        1.3,
        1.0,
        0.8,
        0.7,
        0.7,
        0.6,
        0.6,
        0.5,
        0.4,
    ]
)


def draw_minute(rng: random.Random, *, school: bool) -> int:
    """A minute of the day (0–1439) at which a report arrives."""
    table = _SCHOOL_HOURS if school else _OTHER_HOURS
    return bisect.bisect_left(table, rng.random() * table[-1])


def local_moment(day: datetime.date, minute: int) -> datetime.datetime:
    """``minute`` of ``day`` in Stockholm, as an aware time in UTC."""
    local = datetime.datetime(
        day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=STOCKHOLM
    )
    return local.astimezone(datetime.UTC)


def lognormal_hours(rng: random.Random, median_hours: float, sigma: float) -> datetime.timedelta:
    """A right-skewed delay: most are near the median, a few take much longer."""
    return datetime.timedelta(hours=median_hours * rng.lognormvariate(0.0, sigma))
