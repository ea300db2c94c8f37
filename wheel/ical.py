"""iCalendar (RFC 5545) for the annual wheel: a user's feed and a single occurrence's ``.ics``.

What goes into a calendar is fixed here and nowhere else: the series' title and type, the time,
the place and a link to the occurrence's page. Never minutes, decisions, actions, attendance or
anyone's name: a calendar leaves our access control (it is synced to phones and shared), so it
carries nothing that is not already on a meeting invitation.

Times are written with ``TZID=Europe/Stockholm`` and a ``VTIMEZONE`` for the years they span, so
a meeting at 09:00 stays at 09:00 across summer time in every client.
"""

import datetime
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone

from wheel.models import ActivityType, Occurrence, OccurrenceStatus

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TZID = "Europe/Stockholm"
PRODID = "-//Samverkan//Annual wheel//SV"
REFRESH = datetime.timedelta(hours=1)
CONTENT_TYPE = "text/calendar; charset=utf-8"

TYPE_LABELS = dict(ActivityType.choices)


def event_summary(occurrence: Occurrence) -> str:
    """The series' title and its type, e.g. "Resurssamråd (Resource council)"."""
    series = occurrence.series
    type_label = str(TYPE_LABELS.get(series.activity_type, series.activity_type))
    if type_label.casefold() == series.title.casefold():
        return series.title
    return _("%(title)s (%(type)s)") % {"title": series.title, "type": type_label}


def occurrence_event(occurrence: Occurrence, *, url: str, stamp: datetime.datetime) -> Event:
    """One VEVENT. The UID is the occurrence's own, and SEQUENCE its version, so that a moved
    or cancelled meeting replaces the one already in the user's calendar."""
    series = occurrence.series
    event = Event()
    event.add("uid", occurrence.uid)
    event.add("dtstamp", stamp.astimezone(datetime.UTC))
    event.add("dtstart", occurrence.starts_at.astimezone(STOCKHOLM))
    event.add("dtend", occurrence.ends_at.astimezone(STOCKHOLM))
    event.add("summary", event_summary(occurrence))
    place = occurrence.place or series.place
    if place:
        event.add("location", place)
    event.add("description", url)
    event.add("url", url)
    event.add("categories", [str(TYPE_LABELS.get(series.activity_type, series.activity_type))])
    event.add(
        "status", "CANCELLED" if occurrence.status == OccurrenceStatus.CANCELLED else "CONFIRMED"
    )
    event.add("sequence", occurrence.version)
    event.add(
        "transp", "TRANSPARENT" if occurrence.status == OccurrenceStatus.CANCELLED else "OPAQUE"
    )
    return event


def build_calendar(
    occurrences: Sequence[Occurrence],
    *,
    name: str,
    url_for: Callable[[Occurrence], str],
    now: datetime.datetime,
    span: tuple[datetime.date, datetime.date] | None = None,
) -> bytes:
    """A VCALENDAR with one VEVENT per occurrence, as bytes (UTF-8, CRLF, folded lines).

    ``span`` is the period the calendar covers (for the time zone's rules); by default the
    occurrences' own. The time zone is always included, so that even an empty feed is a
    complete calendar (RFC 5545 wants at least one component).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TZID)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(_timezone(occurrences, now, span))
    for occurrence in occurrences:
        calendar.add_component(occurrence_event(occurrence, url=url_for(occurrence), stamp=now))
    return calendar.to_ical()


def _timezone(
    occurrences: Sequence[Occurrence],
    now: datetime.datetime,
    span: tuple[datetime.date, datetime.date] | None,
) -> Timezone:
    """The VTIMEZONE for the whole years the calendar touches."""
    days = [now.astimezone(STOCKHOLM).date()]
    if span is not None:
        days.extend(span)
    for occurrence in occurrences:
        days.append(occurrence.starts_at.astimezone(STOCKHOLM).date())
        days.append(occurrence.ends_at.astimezone(STOCKHOLM).date())
    first = datetime.date(min(days).year - 1, 12, 1)
    last = datetime.date(max(days).year + 1, 1, 31)
    return Timezone.from_tzid(TZID, first_date=first, last_date=last)
