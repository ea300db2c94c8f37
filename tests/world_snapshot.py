"""The test world, built once per test process and minute, and copied back for each test.

Most tests ask for the ``world`` fixture: two municipalities with their units and one user per
role. Building it is 334 queries through the services (memberships, history rows, audit
events), 0.2 to 0.3 s; with two thousand tests on two databases that was minutes of every CI
run. Instead, the first test that asks for the world in a given minute builds it as before and
keeps a copy of the rows the build added, in memory; each later test in that minute gets the
same rows inserted again, with ~15 queries. A test still starts from exactly the rows a build
makes, and its transaction takes them away again after it.

The copy is keyed by the minute because the rows carry the build's times: a membership is valid
from the day it was made, an audit event has its moment. A test that travels in time
(time-machine) gets a world made at its own time, as before.

Only the rows the build added are copied: those with a primary key above the table's largest
before the build. If a table without an integer key changed, or the rows' keys are taken when a
later test starts (a transactional test committed rows), the world is built the long way.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from organisations.models import Municipality, Unit, User
from tests.world import PLACES, ROLE_UNIT_KIND, Place, World, build_world


@dataclass(frozen=True)
class TableCopy:
    model: type[models.Model]
    columns: tuple[str, ...]
    rows: Any  # PostgreSQL: the bytes of COPY TO; SQLite: a list of tuples


_copies: dict[tuple[str, datetime.datetime], tuple[TableCopy, ...] | None] = {}


def world_for_test() -> World:
    """The world for the running test: restored from this process's copy, or built."""
    if connection.vendor not in {"sqlite", "postgresql"}:
        return build_world()
    minute = timezone.now().replace(second=0, microsecond=0)
    key = (connection.settings_dict["NAME"], minute)
    if key not in _copies:
        # The copies of earlier minutes will not be asked for again.
        _copies.clear()
        before = _largest_keys()
        world = build_world()
        _copies[key] = _take(before)
        return world
    copy = _copies[key]
    if copy is None or not _restored(copy):
        return build_world()
    return _world_from_database()


def _integer_key_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
        and model._meta.managed
        and isinstance(model._meta.pk, models.AutoField | models.BigAutoField)
    ]


def _largest_keys() -> dict[type[models.Model], int]:
    largest = {}
    for model in _integer_key_models():
        value = model._base_manager.aggregate(largest=models.Max("pk"))["largest"]
        largest[model] = value or 0
    return largest


def _take(before: dict[type[models.Model], int]) -> tuple[TableCopy, ...] | None:
    copies = []
    for model, largest in before.items():
        if not model._base_manager.filter(pk__gt=largest).exists():
            continue
        # Generated columns (the inbox's sort keys) are the database's to compute.
        columns = tuple(
            str(field.column) for field in model._meta.local_concrete_fields if not field.generated
        )
        copies.append(TableCopy(model, columns, _read_rows(model, columns, largest)))
    return tuple(copies)


def _quoted(model: type[models.Model], columns: tuple[str, ...]) -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), ", ".join(quote(column) for column in columns)


def _read_rows(model: type[models.Model], columns: tuple[str, ...], largest: int) -> Any:
    table, names = _quoted(model, columns)
    pk = connection.ops.quote_name(str(model._meta.pk.column))
    # Table and column names from the models' metadata, quoted; the key is a number of ours.
    select = f"SELECT {names} FROM {table} WHERE {pk} > {int(largest)} ORDER BY {pk}"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY keeps every value exactly, JSON and arrays included, without adapting types.
            data = bytearray()
            with cursor.cursor.copy(f"COPY ({select}) TO STDOUT") as copy:
                for chunk in copy:
                    data += chunk
            return bytes(data)
        cursor.execute(select)
        return cursor.fetchall()


def _restored(copies: tuple[TableCopy, ...]) -> bool:
    """Insert the copied rows in a savepoint; False (and nothing inserted) when a key is taken."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for copy in copies:
                _write_rows(cursor, copy)
            # The copied keys may be above a sequence that a flush or a demo restore set back.
            for sql in connection.ops.sequence_reset_sql(no_style(), [c.model for c in copies]):
                cursor.execute(sql)
    except IntegrityError:
        return False
    return True


def _write_rows(cursor: CursorWrapper, copy: TableCopy) -> None:
    table, names = _quoted(copy.model, copy.columns)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as writer:
            writer.write(copy.rows)
        return
    marks = ", ".join(["%s"] * len(copy.columns))
    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", copy.rows)  # noqa: S608


def _world_from_database() -> World:
    """The ``World`` of the rows just restored, fetched as ``build_world`` would return it."""
    codes = {code: key for key, _name, code in PLACES}
    places = {
        codes[municipality.code]: Place(municipality=municipality)
        for municipality in Municipality.objects.filter(code__in=codes)
    }
    by_id = {place.municipality.pk: place for place in places.values()}
    for unit in Unit.objects.filter(municipality__in=list(by_id)).order_by("pk"):
        by_id[unit.municipality_id].units.setdefault(unit.kind, unit)
    usernames = {f"{role}.{key}": (key, role) for key in places for role in ROLE_UNIT_KIND}
    for user in User.objects.filter(username__in=list(usernames)):
        key, role = usernames[user.username]
        places[key].users[role] = user
    return World(places=places)
