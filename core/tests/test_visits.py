"""'Since your last visit': a visit of the start page is a working session; its news count from
the beginning of the previous one, or the last 30 days on the first."""

import datetime

import pytest

from core.models import StartPageVisit
from core.visits import FIRST_VISIT_DAYS, VISIT_GAP, start_page_visit_record
from organisations.models import Role

MONDAY = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def principal(world):
    return world.user(Role.PRINCIPAL)


def test_the_first_visit_shows_the_last_30_days_also_when_reloaded(principal):
    since = start_page_visit_record(user=principal, now=MONDAY)
    assert since.first_visit
    assert since.moment == MONDAY - datetime.timedelta(days=FIRST_VISIT_DAYS)
    again = start_page_visit_record(user=principal, now=MONDAY + 20 * MINUTE)
    assert again == since


def test_a_later_visit_shows_what_came_since_the_one_before(principal):
    start_page_visit_record(user=principal, now=MONDAY)
    afternoon = MONDAY + datetime.timedelta(hours=5)
    since = start_page_visit_record(user=principal, now=afternoon)
    assert (since.moment, since.first_visit) == (MONDAY, False)
    # Reloading, or coming back from a report, keeps the same news.
    assert start_page_visit_record(user=principal, now=afternoon + 30 * MINUTE) == since
    # The next working session counts from this afternoon.
    tuesday = MONDAY + datetime.timedelta(days=1)
    assert start_page_visit_record(user=principal, now=tuesday).moment == afternoon


def test_a_visit_lasts_the_gap_from_its_beginning(principal):
    start_page_visit_record(user=principal, now=MONDAY)
    assert start_page_visit_record(user=principal, now=MONDAY + VISIT_GAP - MINUTE).first_visit
    assert not start_page_visit_record(user=principal, now=MONDAY + VISIT_GAP).first_visit


def test_each_user_has_their_own_visits(world, principal):
    start_page_visit_record(user=principal, now=MONDAY)
    other = world.user(Role.PRINCIPAL, "eksjo")
    assert start_page_visit_record(user=other, now=MONDAY + 2 * VISIT_GAP).first_visit
    assert StartPageVisit.objects.count() == 2
