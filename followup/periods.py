"""Periods of the follow-up: a month, a school term, a calendar year or a custom range of whole
months. The summary tables hold months, so every period is a half-open range of months
``[start, end)`` (``start`` and ``end`` are first days of months)."""

import datetime
import functools
from dataclasses import dataclass
from enum import StrEnum

from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _


class PeriodKind(StrEnum):
    MONTH = "month"
    TERM = "term"
    YEAR = "year"
    CUSTOM = "custom"


PERIOD_KIND_LABELS = {
    PeriodKind.MONTH: gettext_lazy("Month"),
    PeriodKind.TERM: gettext_lazy("School term"),
    PeriodKind.YEAR: gettext_lazy("Year"),
    PeriodKind.CUSTOM: gettext_lazy("Choose months"),
}


@functools.lru_cache(maxsize=4096)
def _month_label(month: datetime.date, format_name: str, language: str | None) -> str:
    del language  # part of the cache key: the label is in the active language
    return date_format(month, format_name)


def month_label(month: datetime.date, format_name: str = "F Y") -> str:
    """The month as ``date_format`` writes it in the active language ("mars 2026", "mar"),
    remembered: a ten-year dashboard labels 120 months in each of its charts and tables, and
    formatting them one by one cost more than the rest of the page."""
    return _month_label(month, format_name, get_language())


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: datetime.date  # first day of the first month
    end: datetime.date  # first day of the month after the last

    def __post_init__(self) -> None:
        if self.start.day != 1 or self.end.day != 1 or self.end <= self.start:
            raise ValueError("A period is a non-empty range of whole months.")

    @property
    def months(self) -> list[datetime.date]:
        return [add_months(self.start, n) for n in range(months_between(self.start, self.end))]

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    def previous(self) -> "Period":
        """The period of the same length just before (the year before for a year or term)."""
        length = months_between(self.start, self.end)
        if self.kind in (PeriodKind.YEAR, PeriodKind.TERM):
            return Period(self.kind, add_months(self.start, -12), add_months(self.end, -12))
        return Period(self.kind, add_months(self.start, -length), self.start)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        if self.kind == PeriodKind.MONTH:
            return date_format(self.start, "F Y")
        if self.kind == PeriodKind.TERM:
            name = _("Autumn term") if self.start.month >= 7 else _("Spring term")
            return f"{name} {self.start.year}"
        return self._months_label()

    def _months_label(self) -> str:
        """A run of months as Swedish writes it: "januari–maj 2026" within one year (the
        year once), "november 2025 – februari 2026" across a new year (spaced, as Swedish sets a
        dash between parts that hold spaces), "maj 2026" alone."""
        last = add_months(self.end, -1)
        if last == self.start:
            return date_format(self.start, "F Y")
        if last.year == self.start.year:
            return f"{date_format(self.start, 'F')}–{date_format(last, 'F Y')}"
        return f"{date_format(self.start, 'F Y')} – {date_format(last, 'F Y')}"

    @property
    def label_in_sentence(self) -> str:
        """The label inside a sentence ("… under vårterminen 2026"): a term's name is
        capitalised only where a sentence or heading begins; months are lower case anyway."""
        label = self.label
        if self.kind == PeriodKind.TERM:
            return label[:1].lower() + label[1:]
        return label

    def as_query(self) -> dict[str, str]:
        """The GET parameters that choose this period again (no personal data)."""
        if self.kind == PeriodKind.YEAR:
            return {"period": "year", "year": str(self.start.year)}
        if self.kind == PeriodKind.MONTH:
            return {"period": "month", "month": f"{self.start:%Y-%m}"}
        if self.kind == PeriodKind.TERM:
            season = "autumn" if self.start.month >= 7 else "spring"
            return {"period": "term", "term": f"{season}-{self.start.year}"}
        last = add_months(self.end, -1)
        return {"period": "custom", "from": f"{self.start:%Y-%m}", "to": f"{last:%Y-%m}"}


def year_period(year: int) -> Period:
    return Period(PeriodKind.YEAR, datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1))


def month_period(day: datetime.date) -> Period:
    start = month_start(day)
    return Period(PeriodKind.MONTH, start, add_months(start, 1))


def term_period(season: str, year: int) -> Period:
    """A term in whole months: the autumn term August–December, the spring term
    January–June (the municipalities' own term dates fall inside these months)."""
    if season == "autumn":
        return Period(PeriodKind.TERM, datetime.date(year, 8, 1), datetime.date(year + 1, 1, 1))
    return Period(PeriodKind.TERM, datetime.date(year, 1, 1), datetime.date(year, 7, 1))


def term_of(day: datetime.date) -> Period:
    """The term ``day`` falls in; July counts to the spring term just ended."""
    if day.month >= 8:
        return term_period("autumn", day.year)
    return term_period("spring", day.year)


class PeriodError(ValueError):
    """The period asked for in the address could not be read; the message says why."""


MAX_MONTHS = 120  # ten years: the longest period a dashboard shows


def _parse_month(text: str) -> datetime.date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return datetime.date(year, month, 1)
    except (ValueError, TypeError) as error:
        raise PeriodError(_("Give the month as year and month, e.g. 2026-03.")) from error


def _parse_year(text: str) -> int:
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise PeriodError(_("Give the year with four digits, e.g. 2026."))
    return int(text)


def period_from_query(query: dict[str, str], *, today: datetime.date) -> Period:
    """The period chosen in the address (``?period=year&year=2026`` and so on); without a
    choice the current calendar year. A bad choice is a :class:`PeriodError` with a message
    for the user (the page then shows the current year and the message)."""
    kind = query.get("period") or PeriodKind.YEAR
    if kind == PeriodKind.YEAR:
        return year_period(_parse_year(query.get("year") or str(today.year)))
    if kind == PeriodKind.MONTH:
        return month_period(_parse_month(query.get("month") or f"{today:%Y-%m}"))
    if kind == PeriodKind.TERM:
        season, _sep, year = (query.get("term") or "").partition("-")
        if season not in ("autumn", "spring"):
            return term_of(today)
        return term_period(season, _parse_year(year))
    if kind == PeriodKind.CUSTOM:
        start = _parse_month(query.get("from") or "")
        last = _parse_month(query.get("to") or "")
        if last < start:
            raise PeriodError(_("The last month comes before the first."))
        if months_between(start, last) >= MAX_MONTHS:
            raise PeriodError(_("Choose at most ten years."))
        return Period(PeriodKind.CUSTOM, start, add_months(last, 1))
    raise PeriodError(_("Choose month, school term, year or your own months."))
