"""The organisation rules hold when two callers come at the same moment, with real threads and
a connection each, on SQLite as on PostgreSQL: each service checks its rule under a lock (a
row lock on PostgreSQL; SQLite's write lock, taken when the transaction begins), so the second
caller sees the first one's row and is refused. The check is slowed down, so that without the
lock both callers would pass it before either writes."""

import datetime
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from organisations import services
from organisations.models import Membership, Role, SchoolTerm, Unit, UnitKind
from tests.factories import MunicipalityFactory, UnitFactory, UserFactory
from tests.flush import flush_past_append_only_triggers

JOIN_SECONDS = 60
SLOW_CHECK_SECONDS = 0.5

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def _flushable() -> Iterator[None]:
    # Module scope: in place before pytest-django's database fixture empties the tables.
    with flush_past_append_only_triggers():
        yield


def _slowed(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make the service's rule check linger after it has read, as a busy server might."""
    original = getattr(services, name)

    def slow(**kwargs: Any) -> None:
        original(**kwargs)
        time.sleep(SLOW_CHECK_SECONDS)

    monkeypatch.setattr(services, name, slow)


def _together(calls: list[Callable[[], Any]]) -> list[str]:
    """Run the calls in threads released at once; "created" or "refused" for each."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def worker(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
            outcomes.append("created")
        except ValidationError:
            outcomes.append("refused")
        except BaseException as error:  # anything else fails the test, with its name
            outcomes.append(f"error: {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a caller never finished"
    return sorted(outcomes)


def test_two_overlapping_terms_at_once_give_one_term(monkeypatch):
    municipality = MunicipalityFactory.create()
    _slowed(monkeypatch, "term_dates_check")

    def add(start: datetime.date) -> Callable[[], Any]:
        return lambda: services.term_create(
            actor=None,
            municipality=municipality,
            kind="autumn",
            starts_on=start,
            ends_on=datetime.date(2026, 12, 22),
        )

    outcomes = _together([add(datetime.date(2026, 8, 17)), add(datetime.date(2026, 8, 18))])
    assert outcomes == ["created", "refused"]
    assert SchoolTerm.objects.filter(municipality=municipality).count() == 1


def test_two_units_of_one_name_at_once_give_one_unit(monkeypatch):
    municipality = MunicipalityFactory.create()
    _slowed(monkeypatch, "unit_name_check")

    def add(name: str) -> Callable[[], Any]:
        return lambda: services.unit_create(
            actor=None, municipality=municipality, name=name, kind=UnitKind.SCHOOL
        )

    # Names that differ only in case: the database's own unique constraint would let both in.
    assert _together([add("Norrskolan"), add("NORRSKOLAN")]) == ["created", "refused"]
    assert Unit.objects.filter(municipality=municipality).count() == 1


def test_two_overlapping_roles_at_once_give_one_role(monkeypatch):
    unit = UnitFactory.create()
    person = UserFactory.create()
    _slowed(monkeypatch, "membership_period_check")

    def add(valid_from: datetime.date) -> Callable[[], Any]:
        return lambda: services.membership_create(
            actor=None, user=person, unit=unit, role=Role.REPORTER, valid_from=valid_from
        )

    outcomes = _together([add(datetime.date(2026, 1, 1)), add(datetime.date(2026, 2, 1))])
    assert outcomes == ["created", "refused"]
    assert Membership.objects.filter(user=person, unit=unit).count() == 1
