"""The access log's monthly partitions (PostgreSQL) and the plain table elsewhere (SQLite).

CI runs this file on both databases; each runs the checks that apply to it, none is skipped:
on SQLite each test checks the fallback (one plain table, nothing to make)."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from access.models import AccessAction, AccessLog, LogReviewSample
from access.partitions import (
    DEFAULT_PARTITION,
    MONTHS_AHEAD,
    ensure_partitions,
    partitioned,
    partitions,
    rows_in_default,
)
from access.services import access_log_record, log_sample_create
from access.tests.conftest import add_log_rows
from organisations.models import Role, UnitKind
from organisations.selectors import memberships_of
from tests.world import World

pytestmark = pytest.mark.django_db


def plain_table_here() -> bool:
    """True on SQLite, after checking that the log is one plain table with nothing to make:
    the test's PostgreSQL checks do not apply."""
    if connection.vendor == "postgresql":
        return False
    assert not partitioned()
    assert ensure_partitions(months_ahead=MONTHS_AHEAD + 3) == []
    assert partitions() == []
    assert rows_in_default() == 0
    return True


def month_after(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def this_month() -> datetime.date:
    return datetime.datetime.now(tz=datetime.UTC).date().replace(day=1)


def name_of(month: datetime.date) -> str:
    return f"access_accesslog_{month:%Y_%m}"


def partition_holding(row: AccessLog) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text FROM {AccessLog._meta.db_table} WHERE id = %s",  # noqa: S608
            [row.pk],
        )
        return str(cursor.fetchone()[0])


def write_row(world: World) -> AccessLog:
    user = world.user(Role.INTAKE)
    return access_log_record(
        user=user,
        municipality=world.municipality(),
        obj=world.unit(UnitKind.INTAKE),
        child_ref="child-1",
        action=AccessAction.VIEW,
        rule="intake_of_municipality",
        membership=memberships_of(user)[0],
    )


def test_the_command_makes_months_on_postgresql_and_nothing_on_sqlite(world: World) -> None:
    row = write_row(world)
    assert AccessLog.objects.get(pk=row.pk) == row
    out = StringIO()
    call_command("access_log_partitions", stdout=out)
    if plain_table_here():
        assert "nothing to do" in out.getvalue()
    else:
        assert "Every month is ready already." in out.getvalue()


def test_the_log_is_split_by_month_with_the_coming_months_ready(world: World) -> None:
    if plain_table_here():
        return
    assert partitioned()
    names = [partition.name for partition in partitions()]
    expected = [name_of(month_after(this_month(), ahead)) for ahead in range(MONTHS_AHEAD + 1)]
    assert set(expected) <= set(names)
    assert names[-1] == DEFAULT_PARTITION  # no month of its own: last
    row = write_row(world)
    # Written now, it lands in this month's table; read by its id like any row.
    assert partition_holding(row) == name_of(this_month())
    assert AccessLog.objects.get(pk=row.pk) == row
    assert rows_in_default() == 0


def test_making_months_is_idempotent_and_skips_a_month_the_default_already_holds(
    world: World,
) -> None:
    if plain_table_here():
        return
    user = world.user(Role.INTAKE)
    municipality = world.municipality()
    # A row from a month that has no partition yet goes to the default partition.
    stray_month = month_after(this_month(), MONTHS_AHEAD + 2)
    at = datetime.datetime.combine(stray_month, datetime.time(12), tzinfo=datetime.UTC)
    (stray,) = add_log_rows(user=user, municipality=municipality, at=at + datetime.timedelta(9))
    assert partition_holding(stray) == DEFAULT_PARTITION
    assert rows_in_default() == 1

    created = ensure_partitions(months_ahead=MONTHS_AHEAD + 3)
    # The next two months and the one after the stray row's; that one stays in the default.
    assert created == [
        name_of(month_after(this_month(), MONTHS_AHEAD + 1)),
        name_of(month_after(this_month(), MONTHS_AHEAD + 3)),
    ]
    assert ensure_partitions(months_ahead=MONTHS_AHEAD + 3) == []
    assert partition_holding(stray) == DEFAULT_PARTITION
    listed = {partition.name: partition for partition in partitions()}
    new = listed[created[0]]
    assert new.start == datetime.datetime.combine(
        month_after(this_month(), MONTHS_AHEAD + 1), datetime.time(), tzinfo=datetime.UTC
    )
    assert new.end == datetime.datetime.combine(
        month_after(this_month(), MONTHS_AHEAD + 2), datetime.time(), tzinfo=datetime.UTC
    )

    out, err = StringIO(), StringIO()
    call_command("access_log_partitions", "--list", stdout=out, stderr=err)
    assert "Every month is ready already." in out.getvalue()
    assert f"{created[0]}: {new.start:%Y-%m-%d} – {new.end:%Y-%m-%d}" in out.getvalue()
    assert f"{DEFAULT_PARTITION}: any other time" in out.getvalue()
    assert f"1 rows are in {DEFAULT_PARTITION}" in err.getvalue()


def test_earlier_months_are_made_from_a_first_month(world: World) -> None:
    if plain_table_here():
        return
    first = month_after(this_month(), -2)
    created = ensure_partitions(first_month=first + datetime.timedelta(days=14))
    assert created == [name_of(first), name_of(month_after(first, 1))]
    (row,) = add_log_rows(
        user=world.user(Role.INTAKE),
        municipality=world.municipality(),
        at=datetime.datetime.combine(first, datetime.time(8), tzinfo=datetime.UTC),
    )
    assert partition_holding(row) == name_of(first)


def test_the_append_only_triggers_hold_in_every_month(world: World) -> None:
    if plain_table_here():
        return
    row = write_row(world)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass "
            "AND tgname = 'access_accesslog_append_only'",
            [partition_holding(row)],
        )
        assert cursor.fetchone()[0] == 1
    with pytest.raises(Exception, match="append-only"):
        AccessLog.objects.filter(pk=row.pk).update(rule="changed")


def test_a_log_review_sample_still_links_its_rows(world: World) -> None:
    """The samples' link has no database constraint any more (it can not point at a
    partitioned table's id alone); drawing and reading a sample work as before."""
    plain = plain_table_here()  # on SQLite: the same sample, from the plain table
    municipality = world.municipality()
    last_month = month_after(this_month(), -1)
    ensure_partitions(first_month=last_month)
    rows = add_log_rows(
        user=world.user(Role.INTAKE),
        municipality=municipality,
        at=datetime.datetime.combine(last_month, datetime.time(12), tzinfo=datetime.UTC)
        + datetime.timedelta(days=9),
        count=3,
    )
    if not plain:
        assert {partition_holding(row) for row in rows} == {name_of(last_month)}
    sample = log_sample_create(
        actor=world.user(Role.MUNICIPAL_ADMIN), municipality=municipality, month=last_month
    )
    entries = list(LogReviewSample.objects.get(pk=sample.pk).entries.all())
    assert entries
    assert set(entries) <= set(rows)
