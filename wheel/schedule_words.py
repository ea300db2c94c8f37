"""A series' schedule in plain words, both ways: the choices the form offers ("every other
week on Monday", "the last Thursday of the month") become the recurrence rule that is stored,
and a stored rule that means one of those choices is shown as that choice again.

The RFC 5545 rule stays as the advanced choice, for what the plain ones can not say. No
database here: the form and the lists call these functions.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from wheel.models import ScheduleKind
from wheel.recurrence import ScheduleError, describe_rrule, rule_parts


class PlainSchedule(models.TextChoices):
    """What the series form offers. The last three are the ``ScheduleKind`` values, so a form
    posted with a kind still means the same."""

    WEEKLY = "weekly", _("Every week")
    EVERY_OTHER_WEEK = "every_other_week", _("Every other week")
    MONTHLY_WEEKDAY = "monthly_weekday", _("Once a month, on a given weekday")
    PER_TERM = ScheduleKind.PER_TERM.value, _("A number of times per school term")
    FIXED_MONTHS = ScheduleKind.FIXED_MONTHS.value, _("Once in each of the months I choose")
    RRULE = ScheduleKind.RRULE.value, _("Advanced: a recurrence rule (RFC 5545)")


# Weekday codes of RFC 5545, Monday first, with their names in the form.
WEEKDAYS = (
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
)
# The weekday after "the first …": Swedish uses its definite form ("tisdagen").
_WEEKDAYS_DEFINITE = {
    "MO": pgettext_lazy("the first … of the month", "Monday"),
    "TU": pgettext_lazy("the first … of the month", "Tuesday"),
    "WE": pgettext_lazy("the first … of the month", "Wednesday"),
    "TH": pgettext_lazy("the first … of the month", "Thursday"),
    "FR": pgettext_lazy("the first … of the month", "Friday"),
    "SA": pgettext_lazy("the first … of the month", "Saturday"),
    "SU": pgettext_lazy("the first … of the month", "Sunday"),
}
# Which of the month's weekdays: RFC 5545's number before the day (-1 is the last).
ORDINALS = (
    (1, pgettext_lazy("ordinal", "first")),
    (2, pgettext_lazy("ordinal", "second")),
    (3, pgettext_lazy("ordinal", "third")),
    (4, pgettext_lazy("ordinal", "fourth")),
    (-1, pgettext_lazy("ordinal", "last")),
)
_WEEKDAY_CODES = {code for code, _name in WEEKDAYS}
_ORDINAL_NUMBERS = {number for number, _name in ORDINALS}


@dataclass(frozen=True)
class PlainRule:
    """A rule read back as a plain choice: ``ordinal`` only for a monthly weekday."""

    choice: str
    weekday: str
    ordinal: int | None = None


def rule_for(choice: str, *, weekday: str, ordinal: int | None = None) -> str:
    """The recurrence rule stored for a plain choice (raises ValueError for another choice)."""
    if weekday not in _WEEKDAY_CODES:
        raise ValueError(weekday)
    if choice == PlainSchedule.WEEKLY:
        return f"FREQ=WEEKLY;BYDAY={weekday}"
    if choice == PlainSchedule.EVERY_OTHER_WEEK:
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={weekday}"
    if choice == PlainSchedule.MONTHLY_WEEKDAY and ordinal in _ORDINAL_NUMBERS:
        return f"FREQ=MONTHLY;BYDAY={ordinal}{weekday}"
    raise ValueError(choice)


def plain_rule(rrule_text: str) -> PlainRule | None:
    """The plain choice a stored rule means, or None when it needs the advanced field."""
    try:
        parts = rule_parts(rrule_text)
    except ScheduleError:
        return None
    if parts.get("WKST") == "MO":
        del parts["WKST"]  # Monday is the default week start: it changes nothing
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    frequency, day = parts.pop("FREQ", ""), parts.pop("BYDAY", "")
    interval = parts.pop("INTERVAL", "1")
    if parts:
        return None
    if frequency == "WEEKLY" and day in _WEEKDAY_CODES:
        if interval == "1":
            return PlainRule(PlainSchedule.WEEKLY, day)
        if interval == "2":
            return PlainRule(PlainSchedule.EVERY_OTHER_WEEK, day)
        return None
    if frequency == "MONTHLY" and interval == "1" and day[-2:] in _WEEKDAY_CODES:
        number = day[:-2].lstrip("+")
        if number.lstrip("-").isdigit() and int(number) in _ORDINAL_NUMBERS:
            return PlainRule(PlainSchedule.MONTHLY_WEEKDAY, day[-2:], int(number))
    return None


def _weekday_name(code: str) -> str:
    return str(dict(WEEKDAYS)[code]).lower()


def describe_plain(rule: PlainRule) -> str:
    """E.g. "Every other week on Monday", "The last Thursday of the month"."""
    if rule.choice == PlainSchedule.WEEKLY:
        return _("Every week on %(weekday)s") % {"weekday": _weekday_name(rule.weekday)}
    if rule.choice == PlainSchedule.EVERY_OTHER_WEEK:
        return _("Every other week on %(weekday)s") % {"weekday": _weekday_name(rule.weekday)}
    return _("The %(ordinal)s %(weekday)s of the month") % {
        "ordinal": dict(ORDINALS)[rule.ordinal or 1],
        "weekday": str(_WEEKDAYS_DEFINITE[rule.weekday]).lower(),
    }


def times_per_term_words(times: int) -> str:
    """ "1 time per term", "3 times per term" (Swedish: "1 gång", "3 gånger")."""
    return ngettext("%(times)s time per term", "%(times)s times per term", times) % {"times": times}


def describe_schedule(
    *, kind: str, rrule: str, times_per_term: int | None, months: list[int]
) -> str:
    """A series' schedule in words, as the form offered it."""
    if kind == ScheduleKind.RRULE:
        plain = plain_rule(rrule)
        return describe_plain(plain) if plain else describe_rrule(rrule)
    if kind == ScheduleKind.PER_TERM:
        return times_per_term_words(times_per_term or 0)
    names = [date_format(datetime.date(2000, month, 1), "F") for month in months]
    return gettext("In %(months)s") % {"months": ", ".join(names)}
