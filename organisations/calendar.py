"""Swedish public holidays for school terms and the annual wheel.

The public holidays (allmänna helgdagar, lag 1989:253) come from the ``holidays`` package,
together with its DE_FACTO category: midsommarafton, julafton and nyårsafton, which the
Annual Leave Act (1977:480, 7 §) treats as Sundays. Ordinary Sundays are left out
(``include_sundays=False``); Easter Sunday and Whit Sunday are listed as the holidays they are.
"""

import datetime

import holidays
from holidays.constants import DE_FACTO, PUBLIC

from organisations.models import SchoolBreak

# Languages the Swedish calendar of ``holidays`` can name its days in, by our language codes.
_HOLIDAY_LANGUAGES = {"sv": "sv", "en": "en_US"}


def swedish_holidays(
    start: datetime.date, end: datetime.date, *, language: str = "sv"
) -> dict[datetime.date, str]:
    """The Swedish holidays from ``start`` to ``end`` (both included), sorted by date.

    ``language`` is "sv" or "en" (an unknown language falls back to Swedish).
    """
    if end < start:
        return {}
    calendar = holidays.country_holidays(
        "SE",
        years=range(start.year, end.year + 1),
        language=_HOLIDAY_LANGUAGES.get(language.split("-")[0], "sv"),
        categories=(PUBLIC, DE_FACTO),
        include_sundays=False,
    )
    return {day: name for day, name in sorted(calendar.items()) if start <= day <= end}


def school_break_days(
    municipality_id: int, start: datetime.date, end: datetime.date
) -> dict[datetime.date, str]:
    """The days from ``start`` to ``end`` that lie in one of the municipality's school breaks,
    each with the break's name (e.g. "Sportlov")."""
    days: dict[datetime.date, str] = {}
    breaks = SchoolBreak.objects.filter(
        municipality_id=municipality_id, starts_on__lte=end, ends_on__gte=start
    ).order_by("starts_on")
    for school_break in breaks:
        day = max(school_break.starts_on, start)
        while day <= min(school_break.ends_on, end):
            days.setdefault(day, school_break.label)
            day += datetime.timedelta(days=1)
    return days
