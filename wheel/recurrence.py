"""Where the occurrences of an activity series fall: pure functions, no database.

Three kinds of schedule (``ScheduleKind``):

- **A recurrence rule** (RFC 5545 ``RRULE``, e.g. ``FREQ=WEEKLY;BYDAY=TU``), expanded with
  python-dateutil from the series' first day and start time. Occurrences that fall on a Swedish
  holiday or on a day in ``avoid`` (the school break weeks) are left out, as an ``EXDATE``
  would: ``COUNT`` counts the rule's dates before that.
- **N times per school term**: the N dates are spread evenly over each term (the centre of
  each of N equal slices of the term), and each is moved to the nearest *free* day of that
  term: a weekday that is not a holiday, not in a school break week and not already taken.
  Dates never leave their term, so the breaks between terms (summer, Christmas) are avoided
  too, and never two fall on the same day.
- **Fixed months**: one occurrence in each chosen month, on the first free day on or after
  the 10th (``DEFAULT_DAY_OF_MONTH``); free as above.

School breaks (lov) are data of each municipality (``organisations.SchoolBreak``, kept with its
terms); the services pass their days in as ``avoid``.

Every time is a wall-clock time in Sweden (``Europe/Stockholm``): a meeting at 10:00 stays at
10:00 local time across the changes to and from summer time (its UTC offset changes). A time
that does not exist on the night clocks go forward (02:00–03:00) moves forward by an hour.
"""

import datetime
import re
from collections.abc import Collection, Iterable
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from organisations.calendar import swedish_holidays

LOCAL = ZoneInfo("Europe/Stockholm")
UTC = datetime.UTC

# A series may not have more occurrences than this (a typo like FREQ=DAILY over three years
# would otherwise fill the wheel with a thousand meetings).
MAX_OCCURRENCES = 500
# Fixed months: the occurrence falls on the first free day on or after this day of the month.
DEFAULT_DAY_OF_MONTH = 10

_SUPPORTED_PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTH", "BYMONTHDAY")
_EXTRA_PARTS = ("BYSETPOS", "WKST")
_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY = re.compile(r"(?P<ordinal>[+-]?[0-9]{1,2})?(?P<day>MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"(?P<date>[0-9]{8})(?:T(?P<time>[0-9]{6})(?P<utc>Z?))?")
_INTEGER = re.compile(r"[+-]?[0-9]{1,3}")
# Days in each month, February counted as in a leap year: BYMONTHDAY=29;BYMONTH=2 can happen.
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class ScheduleError(ValueError):
    """A schedule that can not be used; ``message`` says what to change, ``field`` where."""

    def __init__(self, message: str | Promise, *, field: str = "rrule") -> None:
        self.message = message
        self.field = field
        super().__init__(str(message))


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """``day`` at the wall-clock ``time`` in Sweden, as an aware datetime.

    A time in the hour skipped when summer time starts is moved forward by an hour (a round
    trip through UTC normalises it); in the repeated autumn hour the first one is used.
    """
    naive = datetime.datetime.combine(day, time.replace(tzinfo=None))
    return naive.replace(tzinfo=LOCAL).astimezone(UTC).astimezone(LOCAL)


def is_working_day(day: datetime.date, holidays: Collection[datetime.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def holidays_between(start: datetime.date, end: datetime.date) -> frozenset[datetime.date]:
    """Swedish public holidays and the de-facto ones (midsummer, Christmas and New Year's eve)."""
    return frozenset(swedish_holidays(start, end))


# --- recurrence rules ----------------------------------------------------------------------------


def _rule_parts(rrule_text: str) -> dict[str, str]:
    """The rule's parts, upper-cased, after checking the shape; raises ScheduleError."""
    text = rrule_text.strip()
    if not text:
        raise ScheduleError(_("Write a recurrence rule, for example FREQ=WEEKLY;BYDAY=TU."))
    if "\n" in text or "\r" in text:
        raise ScheduleError(
            _("Write the rule on one line, for example FREQ=MONTHLY;BYDAY=1TU, without DTSTART.")
        )
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    parts: dict[str, str] = {}
    for piece in text.strip(";").split(";"):
        name, equals, value = piece.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not equals or not name or not value:
            raise ScheduleError(
                _(
                    "The rule could not be read: write its parts as NAME=VALUE separated by "
                    "semicolons, for example FREQ=WEEKLY;INTERVAL=2;BYDAY=MO."
                )
            )
        if name in ("DTSTART", "DTEND", "EXDATE", "RDATE", "TZID"):
            raise ScheduleError(
                _(
                    "Leave %(part)s out of the rule: the series' first day, last day and start "
                    "time are used instead."
                )
                % {"part": name}
            )
        if name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            raise ScheduleError(
                _("Set the time of day in the start time field, not in the rule (%(part)s).")
                % {"part": name}
            )
        if name not in _SUPPORTED_PARTS + _EXTRA_PARTS:
            raise ScheduleError(
                _("The rule part %(part)s is not supported. Use %(supported)s.")
                % {"part": name, "supported": ", ".join(_SUPPORTED_PARTS + _EXTRA_PARTS)}
            )
        if name in parts:
            raise ScheduleError(_("%(part)s is given twice in the rule.") % {"part": name})
        parts[name] = value
    _check_parts(parts)
    return parts


def rule_parts(rrule_text: str) -> dict[str, str]:
    """The parts of a rule that can be used (``FREQ`` → ``WEEKLY`` …); raises ScheduleError."""
    return _rule_parts(rrule_text)


def _numbers(parts: dict[str, str], name: str) -> list[int]:
    values = parts[name].split(",")
    if not all(_INTEGER.fullmatch(value) for value in values):
        raise ScheduleError(
            _("%(part)s must be a number or numbers separated by commas.") % {"part": name}
        )
    return [int(value) for value in values]


def _check_parts(parts: dict[str, str]) -> None:
    """RFC 5545's rules for combining the parts, checked with messages people can act on."""
    frequency = _checked_frequency(parts)
    _check_count_and_interval(parts)
    _check_months_and_days(parts)
    if "BYDAY" in parts:
        _check_byday(parts["BYDAY"], frequency)
    if "BYSETPOS" in parts:
        _check_bysetpos(parts, frequency)
    if "WKST" in parts and parts["WKST"] not in _WEEKDAYS:
        raise ScheduleError(_("WKST takes a weekday: MO, TU, WE, TH, FR, SA or SU."))
    if "UNTIL" in parts and not _UNTIL.fullmatch(parts["UNTIL"]):
        raise ScheduleError(
            _("Write UNTIL as a date, YYYYMMDD (e.g. UNTIL=20260612), or YYYYMMDDTHHMMSSZ.")
        )


def _checked_frequency(parts: dict[str, str]) -> str:
    frequency = parts.get("FREQ")
    if frequency is None:
        raise ScheduleError(
            _("The rule needs FREQ: DAILY, WEEKLY, MONTHLY or YEARLY (e.g. FREQ=WEEKLY).")
        )
    if frequency not in _FREQUENCIES:
        raise ScheduleError(
            _("FREQ=%(value)s can not be used: meetings repeat DAILY, WEEKLY, MONTHLY or YEARLY.")
            % {"value": frequency}
        )
    return frequency


def _check_count_and_interval(parts: dict[str, str]) -> None:
    if "COUNT" in parts and "UNTIL" in parts:
        raise ScheduleError(_("Use either COUNT or UNTIL in the rule, not both."))
    for name, low, high in (("INTERVAL", 1, 99), ("COUNT", 1, MAX_OCCURRENCES)):
        if name in parts:
            values = _numbers(parts, name)
            if len(values) != 1 or not low <= values[0] <= high:
                raise ScheduleError(
                    _("%(part)s must be a whole number from %(low)s to %(high)s.")
                    % {"part": name, "low": low, "high": high}
                )


def _check_months_and_days(parts: dict[str, str]) -> None:
    months = _numbers(parts, "BYMONTH") if "BYMONTH" in parts else []
    if any(not 1 <= month <= 12 for month in months):
        raise ScheduleError(_("BYMONTH takes month numbers from 1 to 12."))
    month_days = _numbers(parts, "BYMONTHDAY") if "BYMONTHDAY" in parts else []
    if any(day == 0 or not -31 <= day <= 31 for day in month_days):
        raise ScheduleError(_("BYMONTHDAY takes days from 1 to 31 (or -1 to -31 from the end)."))
    if months and month_days:
        longest = max(_MONTH_DAYS[month - 1] for month in months)
        if min(abs(day) for day in month_days) > longest:
            raise ScheduleError(
                _("The rule can never happen: none of the months in BYMONTH has that day.")
            )


def _check_bysetpos(parts: dict[str, str], frequency: str) -> None:
    if frequency not in ("MONTHLY", "YEARLY") or not ({"BYDAY", "BYMONTHDAY"} & set(parts)):
        raise ScheduleError(
            _(
                "BYSETPOS picks among the days of a month or a year: use it with "
                "FREQ=MONTHLY or YEARLY and BYDAY or BYMONTHDAY."
            )
        )
    positions = _numbers(parts, "BYSETPOS")
    if any(position == 0 or not -31 <= position <= 31 for position in positions):
        raise ScheduleError(_("BYSETPOS takes positions from 1 to 31 or -1 to -31."))


def _check_byday(value: str, frequency: str) -> None:
    for item in value.split(","):
        match = _BYDAY.fullmatch(item)
        if match is None:
            raise ScheduleError(
                _(
                    "BYDAY takes weekdays written MO, TU, WE, TH, FR, SA, SU, possibly with a "
                    "number before them (1TU is the first Tuesday, -1FR the last Friday)."
                )
            )
        if match["ordinal"] is None:
            continue
        ordinal = int(match["ordinal"])
        if frequency == "MONTHLY" and ordinal != 0 and -5 <= ordinal <= 5:
            continue
        if frequency == "YEARLY" and ordinal != 0 and -53 <= ordinal <= 53:
            continue
        raise ScheduleError(
            _(
                "A number before the weekday (%(item)s) works only with FREQ=MONTHLY (1 to 5, "
                "or -1 to -5 from the end) or FREQ=YEARLY."
            )
            % {"item": item}
        )


def _until_local(value: str) -> datetime.datetime:
    """UNTIL as a naive local time: a date means the end of that day in Sweden."""
    match = _UNTIL.fullmatch(value)
    if match is None:  # pragma: no cover - checked in _check_parts
        raise ScheduleError(_("Write UNTIL as a date, YYYYMMDD."))
    try:
        day = datetime.date.fromisoformat(match["date"])
        if match["time"] is None:
            return datetime.datetime.combine(day, datetime.time(23, 59, 59))
        time = datetime.time.fromisoformat(match["time"])
    except ValueError:
        raise ScheduleError(_("UNTIL is not a real date or time: check it.")) from None
    moment = datetime.datetime.combine(day, time)
    if match["utc"]:
        moment = moment.replace(tzinfo=UTC).astimezone(LOCAL).replace(tzinfo=None)
    return moment


def _check_period(starts_on: datetime.date, ends_on: datetime.date) -> None:
    if ends_on < starts_on:
        raise ScheduleError(
            _("The last day of the series is before its first day."), field="ends_on"
        )


def expand_rrule(
    rrule_text: str,
    *,
    starts_on: datetime.date,
    ends_on: datetime.date,
    start_time: datetime.time,
    avoid: Collection[datetime.date] = frozenset(),
) -> list[datetime.datetime]:
    """The local start times a recurrence rule gives from ``starts_on`` to ``ends_on``.

    The rule starts counting at ``starts_on`` (its DTSTART, at ``start_time``); that day is an
    occurrence only if it matches the rule. ``COUNT`` and ``UNTIL`` are respected and the
    series' last day cuts the rule off as well. Dates on a Swedish holiday or in ``avoid`` are
    left out after the rule is expanded. Raises :class:`ScheduleError` for a rule that can not
    be read or that gives more than :data:`MAX_OCCURRENCES` dates.
    """
    _check_period(starts_on, ends_on)
    parts = _rule_parts(rrule_text)
    dtstart = datetime.datetime.combine(starts_on, start_time.replace(tzinfo=None))
    last = datetime.datetime.combine(ends_on, datetime.time(23, 59, 59))
    if "UNTIL" in parts:
        last = min(last, _until_local(parts["UNTIL"]))
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    # The rule runs with an UNTIL at the series' end and COUNT is applied by taking the first
    # dates: the same result, and the expansion always stops at the last day.
    body = ";".join(
        f"{name}={value}" for name, value in parts.items() if name not in ("COUNT", "UNTIL")
    )
    body += f";UNTIL={last:%Y%m%dT%H%M%S}"
    try:
        rule = rrulestr(body, dtstart=dtstart)
    except (ValueError, TypeError):
        raise ScheduleError(
            _("The rule could not be read. Check each part against the examples.")
        ) from None
    limit = min(count, MAX_OCCURRENCES + 1) if count else MAX_OCCURRENCES + 1
    starts = list(islice(iter(rule), limit))
    if len(starts) > MAX_OCCURRENCES:
        raise ScheduleError(
            _(
                "The rule gives more than %(max)s occurrences between the first and the last "
                "day. Shorten the period or repeat less often."
            )
            % {"max": MAX_OCCURRENCES}
        )
    holidays = holidays_between(starts_on, ends_on)
    return [
        local_datetime(moment.date(), moment.time())
        for moment in starts
        if moment.date() not in holidays and moment.date() not in avoid
    ]


# --- N times per term --------------------------------------------------------------------------


def _nearest_free(target: datetime.date, candidates: list[datetime.date]) -> datetime.date | None:
    """The candidate nearest to ``target``; on a tie the earlier one."""
    if not candidates:
        return None
    return min(candidates, key=lambda day: (abs((day - target).days), day))


def spread_per_term(
    times: int,
    terms: Iterable[tuple[datetime.date, datetime.date]],
    *,
    start_time: datetime.time,
    avoid: Collection[datetime.date] = frozenset(),
) -> list[datetime.datetime]:
    """``times`` occurrences in each term, spread evenly, on free days (see the module doc).

    ``terms`` are (first day, last day) pairs, e.g. the municipality's ``SchoolTerm`` rows
    clipped to the series' period; ``avoid`` holds further days to keep free, normally the
    days of the municipality's school breaks. Raises :class:`ScheduleError` when a term has
    fewer free days than ``times``.
    """
    if times < 1:
        raise ScheduleError(_("Enter how many times per term: at least 1."), field="times_per_term")
    spans = sorted(terms)
    if not spans:
        raise ScheduleError(
            _(
                "The municipality has no school terms in the series' period. Add the terms "
                "under School terms first, or choose another schedule."
            ),
            field="times_per_term",
        )
    holidays = holidays_between(spans[0][0], spans[-1][1])
    taken: set[datetime.date] = set()
    starts: list[datetime.datetime] = []
    for first, last in spans:
        free = [
            first + datetime.timedelta(days=offset)
            for offset in range((last - first).days + 1)
            if is_working_day(first + datetime.timedelta(days=offset), holidays)
            and first + datetime.timedelta(days=offset) not in avoid
            and first + datetime.timedelta(days=offset) not in taken
        ]
        if len(free) < times:
            raise ScheduleError(
                ngettext(
                    "The term %(first)s – %(last)s has only %(free)s free weekday, too few for "
                    "%(times)s occurrences.",
                    "The term %(first)s – %(last)s has only %(free)s free weekdays, too few for "
                    "%(times)s occurrences.",
                    len(free),
                )
                % {"first": first, "last": last, "free": len(free), "times": times},
                field="times_per_term",
            )
        length = (last - first).days + 1
        for index in range(times):
            # The centre of the index-th of ``times`` equal slices of the term.
            target = first + datetime.timedelta(days=int(length * (2 * index + 1) / (2 * times)))
            day = _nearest_free(target, free)
            if day is None:  # pragma: no cover - len(free) >= times guarantees a day
                break
            free.remove(day)
            taken.add(day)
            starts.append(local_datetime(day, start_time))
    return sorted(starts)


# --- fixed months ------------------------------------------------------------------------------


def fixed_months(
    months: Iterable[int],
    *,
    starts_on: datetime.date,
    ends_on: datetime.date,
    start_time: datetime.time,
    day_rule: int = DEFAULT_DAY_OF_MONTH,
    avoid: Collection[datetime.date] = frozenset(),
) -> list[datetime.datetime]:
    """One occurrence in each of ``months`` (1–12) from ``starts_on`` to ``ends_on``: on the
    first free day (a weekday, not a holiday, not in ``avoid``) on or after day ``day_rule``
    of the month, within the month and the series' period. A month of the period with no such
    day left (the period ends before it) gets no occurrence."""
    _check_period(starts_on, ends_on)
    wanted = sorted(set(months))
    if not wanted:
        raise ScheduleError(_("Choose at least one month."), field="months")
    if any(not 1 <= month <= 12 for month in wanted):
        raise ScheduleError(_("Months are numbered 1 to 12."), field="months")
    if not 1 <= day_rule <= 28:
        raise ScheduleError(_("The day of the month must be from 1 to 28."), field="months")
    holidays = holidays_between(starts_on, ends_on)
    starts: list[datetime.datetime] = []
    year, month = starts_on.year, starts_on.month
    while (year, month) <= (ends_on.year, ends_on.month):
        if month in wanted:
            day = max(datetime.date(year, month, day_rule), starts_on)
            while day.month == month and day <= ends_on:
                if is_working_day(day, holidays) and day not in avoid:
                    starts.append(local_datetime(day, start_time))
                    break
                day += datetime.timedelta(days=1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if len(starts) > MAX_OCCURRENCES:  # pragma: no cover - 12 a year over 40 years
        raise ScheduleError(_("The series is too long: shorten the period."), field="ends_on")
    return starts


# --- words for the lists -----------------------------------------------------------------------

_FREQUENCY_WORDS = {
    "DAILY": (_("Every day"), _("Every %(n)s days")),
    "WEEKLY": (_("Every week"), _("Every %(n)s weeks")),
    "MONTHLY": (_("Every month"), _("Every %(n)s months")),
    "YEARLY": (_("Every year"), _("Every %(n)s years")),
}
_DAY_NAMES = {
    "MO": _("Monday"),
    "TU": _("Tuesday"),
    "WE": _("Wednesday"),
    "TH": _("Thursday"),
    "FR": _("Friday"),
    "SA": _("Saturday"),
    "SU": _("Sunday"),
}


def describe_rrule(rrule_text: str) -> str:
    """A short description for lists ("Every 2 weeks on Tuesday"); the rule as written when it
    uses more than the frequency, the interval and plain weekdays."""
    try:
        parts = _rule_parts(rrule_text)
    except ScheduleError:
        return rrule_text
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "WKST"}:
        return rrule_text
    interval = int(parts.get("INTERVAL", "1"))
    one, many = _FREQUENCY_WORDS[parts["FREQ"]]
    text = str(one) if interval == 1 else str(many) % {"n": interval}
    days = parts.get("BYDAY", "")
    if days:
        if any(not day.isalpha() for day in days.split(",")):
            return rrule_text
        names = ", ".join(str(_DAY_NAMES[day]) for day in days.split(","))
        text = str(_("%(when)s on %(days)s")) % {"when": text, "days": names}
    return text
