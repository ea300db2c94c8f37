""" "Since your last visit": when a user last came to the start page, so that a page can show
what is new since then (the principal's new reports and feedback).

A visit is a working session, not a page load: a start page opened again within
``VISIT_GAP`` of the visit's beginning belongs to the same visit, so that reloading the page
or coming back to it from a report does not make what was new disappear. The first visit
shows the last ``FIRST_VISIT_DAYS`` days.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import StartPageVisit
from organisations.models import User

VISIT_GAP = datetime.timedelta(hours=1)
FIRST_VISIT_DAYS = 30


@dataclass(frozen=True)
class Since:
    """From when a start page shows news: the beginning of the previous visit, or
    ``FIRST_VISIT_DAYS`` before the first one (``first_visit``)."""

    moment: datetime.datetime
    first_visit: bool


def start_page_visit_record(*, user: User, now: datetime.datetime | None = None) -> Since:
    """Record that ``user`` opens the start page at ``now`` and say since when it shows news.

    One query while a visit lasts; a new visit (or the very first) writes one row more. Two
    tabs opened at once record one visit: the conditional update lets only one of them move
    the visit on, and a second first visit finds the row made by the first.
    """
    now = now or timezone.now()
    first_visit_window = datetime.timedelta(days=FIRST_VISIT_DAYS)
    visit = StartPageVisit.objects.filter(user=user).first()
    if visit is None:
        try:
            with transaction.atomic():
                StartPageVisit.objects.create(user=user, started_at=now)
        except IntegrityError:
            pass  # the same first visit recorded by a parallel request
        return Since(now - first_visit_window, first_visit=True)
    if now - visit.started_at >= VISIT_GAP:
        StartPageVisit.objects.filter(user=user, started_at=visit.started_at).update(
            started_at=now, previous_started_at=visit.started_at
        )
        return Since(visit.started_at, first_visit=False)
    if visit.previous_started_at is None:
        return Since(visit.started_at - first_visit_window, first_visit=True)
    return Since(visit.previous_started_at, first_visit=False)
