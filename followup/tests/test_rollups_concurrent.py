"""Two workers refreshing the same bucket at once write its rows once (PostgreSQL: advisory
locks; SQLite serialises writers itself), and the table refuses a cell written twice."""

import threading
from collections.abc import Iterator

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from followup.models import Rollup, RollupSource
from followup.rollups import bucket_refresh, bucket_rows, rebuild
from followup.tests.scenario import MARCH, NOW, march_meetings, march_reports
from tests.flush import flush_past_append_only_triggers
from tests.world import World, build_world

WORKERS = 4


@pytest.fixture
def _flushable() -> Iterator[None]:
    """Set up before, torn down after, the transactional database: its flush needs this."""
    with flush_past_append_only_triggers():
        yield


@pytest.fixture
def march_committed(_flushable: None, transactional_db: None) -> World:  # noqa: ARG001
    """Committed data (the threads have their own connections); emptied after the test."""
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        march_reports(world)
        march_meetings(world)
    return world


def _in_threads(work, count: int = WORKERS) -> list[BaseException]:
    """Run ``work`` in ``count`` threads released at the same moment; the errors raised. On
    SQLite the threads take turns: its in-memory test database refuses a second writer
    ("table is locked") where a real SQLite file would make it wait."""
    concurrent = connection.vendor == "postgresql"
    barrier = threading.Barrier(count if concurrent else 1)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            work()
        except BaseException as error:  # reported to the test, which fails on it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, name=f"refresh-{n}") for n in range(count)]
    for thread in threads:
        thread.start()
        if not concurrent:
            thread.join()
    for thread in threads:
        thread.join()
    return errors


def _sorted(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=lambda row: (row[0] or 0, *row[1:]))


def _stored(municipality_id: int) -> list[tuple]:
    return _sorted(
        list(
            Rollup.objects.filter(
                municipality_id=municipality_id, source=RollupSource.REPORTS, month=MARCH
            ).values_list("unit_id", "sector", "metric", "value")
        )
    )


def _expected(municipality_id: int) -> list[tuple]:
    rows = bucket_rows(municipality_id, RollupSource.REPORTS, MARCH, now=NOW)
    return _sorted([(row.unit_id, row.sector, row.metric, row.value) for row in rows])


def test_racing_refreshes_of_one_bucket_write_it_once(march_committed: World) -> None:
    mid = march_committed.municipality().pk
    for _round in range(3):
        errors = _in_threads(lambda: bucket_refresh(mid, RollupSource.REPORTS, MARCH, now=NOW))
        assert errors == []
        assert _stored(mid) == _expected(mid)


def test_a_rebuild_racing_refreshes_leaves_every_bucket_once(march_committed: World) -> None:
    mid = march_committed.municipality().pk
    rebuild(now=NOW)

    def work() -> None:
        if threading.current_thread().name == "refresh-1":
            rebuild(now=NOW)
        else:
            bucket_refresh(mid, RollupSource.REPORTS, MARCH, now=NOW)

    assert _in_threads(work) == []
    assert _stored(mid) == _expected(mid)


def test_a_cell_written_twice_is_refused(march_committed: World) -> None:
    mid = march_committed.municipality().pk
    bucket_refresh(mid, RollupSource.REPORTS, MARCH, now=NOW)
    whole = Rollup.objects.filter(
        municipality_id=mid, source=RollupSource.REPORTS, month=MARCH, unit=None
    ).first()
    assert whole is not None
    whole.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        whole.save()
