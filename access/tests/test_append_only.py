"""The access log is append-only in the database itself: triggers refuse every UPDATE and
DELETE (and TRUNCATE on PostgreSQL), whatever the route. CI runs this file on SQLite and on
PostgreSQL; each database runs the checks that apply to it, none is skipped."""

import datetime
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from access.models import AccessAction, AccessLog, AuditEvent, AuditEventType, LogReviewSample
from access.partitions import ensure_partitions, rows_in_default
from access.services import (
    access_log_record,
    audit_event_record,
    log_sample_create,
    log_sample_review,
)
from access.tests.conftest import add_log_rows, local
from organisations.models import Role, Unit, UnitKind
from organisations.selectors import memberships_of
from tests.world import World

TABLE = connection.ops.quote_name(AccessLog._meta.db_table)
FIELDS = [
    *("occurred_at", "user_id", "username", "role", "unit_id", "municipality_id"),
    *("object_type", "object_id", "child_ref", "action", "rule", "request_id"),
]


@pytest.fixture
def row(world: World) -> AccessLog:
    user = world.user(Role.INTAKE)
    intake = world.unit(UnitKind.INTAKE)
    return access_log_record(
        user=user,
        municipality=world.municipality("leksand"),
        obj=intake,
        child_ref="child-1",
        action=AccessAction.VIEW,
        rule="intake_of_municipality",
        membership=memberships_of(user)[0],
    )


def snapshot(row: AccessLog) -> tuple[object, ...]:
    return AccessLog.objects.filter(pk=row.pk).values_list(*FIELDS).get()


def assert_refused(row: AccessLog, attempt: Callable[[], object]) -> None:
    before = snapshot(row)
    # A savepoint, so that PostgreSQL's transaction stays usable after the error.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        attempt()
    assert snapshot(row) == before


def raw(sql: str, params: Sequence[Any] = ()) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))

    return run


@pytest.mark.usefixtures("row")
def test_the_triggers_are_installed() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [AccessLog._meta.db_table],
            )
            expected = {"access_accesslog_append_only", "access_accesslog_no_truncate"}
        else:
            assert connection.vendor == "sqlite", "the append-only triggers exist for these two"
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AccessLog._meta.db_table],
            )
            expected = {"access_accesslog_no_update", "access_accesslog_no_delete"}
        assert expected <= {name for (name,) in cursor.fetchall()}


def test_rows_can_be_added(row: AccessLog) -> None:
    assert AccessLog.objects.filter(pk=row.pk).exists()
    AccessLog.objects.create(
        user=row.user,
        username=row.username,
        municipality=row.municipality,
        object_type=row.object_type,
        object_id=row.object_id,
        child_ref=row.child_ref,
        action=AccessAction.PRINT,
        rule=row.rule,
    )
    assert AccessLog.objects.count() == 2


def test_queryset_update_is_refused(row: AccessLog) -> None:
    assert_refused(row, lambda: AccessLog.objects.filter(pk=row.pk).update(rule="changed"))
    assert_refused(row, lambda: AccessLog.objects.update(child_ref="someone-else"))


def test_saving_a_changed_row_is_refused(row: AccessLog) -> None:
    row.username = "someone-else"

    assert_refused(row, row.save)


def test_deleting_is_refused(row: AccessLog) -> None:
    assert_refused(row, row.delete)
    assert_refused(row, lambda: AccessLog.objects.filter(pk=row.pk).delete())
    assert_refused(row, lambda: AccessLog.objects.all().delete())


def test_raw_sql_update_and_delete_are_refused(row: AccessLog) -> None:
    assert_refused(row, raw(f"UPDATE {TABLE} SET rule = %s WHERE id = %s", ["x", row.pk]))  # noqa: S608
    assert_refused(row, raw(f"DELETE FROM {TABLE} WHERE id = %s", [row.pk]))  # noqa: S608


def test_emptying_the_table_is_refused(row: AccessLog) -> None:
    if connection.vendor == "postgresql":
        # TRUNCATE skips row triggers; a statement trigger refuses it, also with CASCADE.
        # PostgreSQL refuses TRUNCATE while the row's deferred foreign-key checks are pending
        # for another reason, so run those checks first: the trigger must be what refuses.
        raw("SET CONSTRAINTS ALL IMMEDIATE")()
        assert_refused(row, raw(f"TRUNCATE {TABLE} CASCADE"))
        # Without CASCADE the samples' foreign key already refuses it, before the trigger.
        with pytest.raises(DatabaseError), transaction.atomic():
            raw(f"TRUNCATE {TABLE}")()
    else:
        # SQLite has no TRUNCATE; its "truncate optimisation" of an unqualified DELETE is
        # turned off by the delete trigger, so the trigger must refuse this too.
        assert connection.vendor == "sqlite"
        assert_refused(row, raw(f"DELETE FROM {TABLE}"))  # noqa: S608
    assert AccessLog.objects.filter(pk=row.pk).exists()


# --- The audit events and the log-review samples (migration 0009) ------------------------------
#
# The same protection as the access log: append-only, and on SQLite no INSERT over an existing
# row, since REPLACE conflict resolution deletes the old row without firing its delete trigger.

Entry = LogReviewSample.entries.through
JANUARY = datetime.date(2025, 1, 1)


@pytest.fixture
def other_row(row: AccessLog) -> AccessLog:
    return AccessLog.objects.create(
        user=row.user,
        username=row.username,
        municipality=row.municipality,
        object_type=row.object_type,
        object_id="another",
        child_ref="child-2",
        action=AccessAction.VIEW,
        rule=row.rule,
    )


@pytest.fixture
def event(world: World) -> AuditEvent:
    unit = world.unit(UnitKind.INTAKE)
    return audit_event_record(
        actor=world.user(Role.MUNICIPAL_ADMIN),
        municipality=world.municipality(),
        event_type=AuditEventType.UNIT_UPDATED,
        obj=unit,
        old={"name": "before"},
        new={"name": unit.name},
    )


@pytest.fixture
def sample(world: World, row: AccessLog) -> LogReviewSample:
    """An unreviewed sample holding ``row``."""
    drawn = LogReviewSample.objects.create(
        municipality=world.municipality(),
        month=JANUARY,
        created_by=world.user(Role.MUNICIPAL_ADMIN),
    )
    drawn.entries.add(row)
    return drawn


def contents(model: type[Model]) -> list[tuple[object, ...]]:
    """Every row of the model's table, read past the ORM."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608
        return cursor.fetchall()


def assert_table_unchanged(model: type[Model], attempt: Callable[[], object]) -> None:
    before = contents(model)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        attempt()
    assert contents(model) == before


def overwrites(
    model: type[Model], pk: int, key: tuple[str, ...], changed: dict[str, object]
) -> list[tuple[str, list[object]]]:
    """Statements that write a copy of row ``pk`` with ``changed`` values over the existing row
    it collides with on the unique ``key``: the vendor's ways of rewriting a row by inserting.
    Without "id" in ``key`` the copy gets a new id and collides on ``key`` alone."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [
        str(field.column)
        for field in model._meta.concrete_fields
        if field.column != "id" or "id" in key
    ]
    select = ", ".join("%s" if column in changed else quote(column) for column in columns)
    params = [*(changed[column] for column in columns if column in changed), pk]
    copy = (
        f"INTO {table} ({', '.join(quote(column) for column in columns)}) "  # noqa: S608
        f"SELECT {select} FROM {table} WHERE id = %s"
    )
    # PostgreSQL's only way: an upsert, which is an UPDATE of the existing row.
    assignments = ", ".join(f"{quote(column)} = excluded.{quote(column)}" for column in changed)
    upsert = (
        f"INSERT {copy} ON CONFLICT ({', '.join(quote(column) for column in key)}) "
        f"DO UPDATE SET {assignments}"
    )
    if connection.vendor == "postgresql":
        return [(upsert, params)]
    assert connection.vendor == "sqlite"
    return [(f"REPLACE {copy}", params), (f"INSERT OR REPLACE {copy}", params), (upsert, params)]


@pytest.mark.usefixtures("sample")
def test_the_new_triggers_are_installed() -> None:
    """All of them, after all migrations. On SQLite a later migration that rebuilds one of
    these tables (an AlterField that changes a column's type, say) drops its triggers without a
    word; this test is what notices. Such a migration must create them again."""
    if connection.vendor == "postgresql":
        expected: dict[type[Model], set[str]] = {
            AccessLog: {"append_only", "no_truncate"},
            AuditEvent: {"append_only", "no_truncate"},
            Entry: {"append_only", "no_truncate", "unreviewed"},
            LogReviewSample: {"no_delete", "no_truncate", "review_once"},
        }
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal"
    else:
        assert connection.vendor == "sqlite"
        expected = {
            AccessLog: {"no_update", "no_delete", "no_overwrite"},
            AuditEvent: {"no_update", "no_delete", "no_overwrite"},
            Entry: {"no_update", "no_delete", "no_overwrite", "unreviewed"},
            LogReviewSample: {"no_delete", "review_once", "no_overwrite"},
        }
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s"
    with connection.cursor() as cursor:
        for model, suffixes in expected.items():
            table = model._meta.db_table
            cursor.execute(query, [table])
            installed = {name for (name,) in cursor.fetchall()}
            assert {f"{table}_{suffix}" for suffix in suffixes} <= installed, table


@pytest.mark.usefixtures("other_row")
def test_inserting_over_an_existing_access_log_row_is_refused(row: AccessLog) -> None:
    # On PostgreSQL the log is partitioned by month: its key, and so the upsert's conflict
    # target, is (id, occurred_at) (migration 0015).
    key = ("id", "occurred_at") if connection.vendor == "postgresql" else ("id",)
    for sql, params in overwrites(AccessLog, row.pk, key, {"child_ref": "someone-else"}):
        assert_table_unchanged(AccessLog, raw(sql, params))
    assert AccessLog.objects.get(pk=row.pk).child_ref == "child-1"


def test_inserting_over_an_existing_audit_event_is_refused(event: AuditEvent) -> None:
    for sql, params in overwrites(AuditEvent, event.pk, ("id",), {"object_id": "forged"}):
        assert_table_unchanged(AuditEvent, raw(sql, params))
    assert AuditEvent.objects.get(pk=event.pk).object_id == event.object_id


@pytest.mark.parametrize(
    "key", [("id",), ("logreviewsample_id", "accesslog_id")], ids=["id", "sample-and-entry"]
)
def test_inserting_over_an_existing_sample_entry_is_refused(
    sample: LogReviewSample, row: AccessLog, other_row: AccessLog, key: tuple[str, ...]
) -> None:
    entry = Entry.objects.get(logreviewsample=sample)
    # Over the id: the entry would point at another row. Over the pair: it would get a new id.
    changed: dict[str, object] = {"accesslog_id": other_row.pk} if key == ("id",) else {}
    if not changed:
        changed = {"logreviewsample_id": sample.pk}
    for sql, params in overwrites(Entry, entry.pk, key, changed):
        assert_table_unchanged(Entry, raw(sql, params))
    assert list(sample.entries.all()) == [row]


@pytest.mark.parametrize(
    "key", [("id",), ("municipality_id", "month")], ids=["id", "municipality-and-month"]
)
def test_inserting_over_an_existing_sample_is_refused(
    sample: LogReviewSample, key: tuple[str, ...]
) -> None:
    for sql, params in overwrites(LogReviewSample, sample.pk, key, {"comment": "forged"}):
        assert_table_unchanged(LogReviewSample, raw(sql, params))
    assert LogReviewSample.objects.get().comment == ""


def test_audit_events_can_be_added_but_not_changed_or_deleted(
    world: World, event: AuditEvent
) -> None:
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    attempts: list[Callable[[], object]] = [
        lambda: AuditEvent.objects.filter(pk=event.pk).update(object_id="forged"),
        lambda: AuditEvent.objects.update(new_values={}),
        event.delete,
        lambda: AuditEvent.objects.all().delete(),
        raw(f"UPDATE {table} SET object_id = %s WHERE id = %s", ["forged", event.pk]),  # noqa: S608
        raw(f"DELETE FROM {table} WHERE id = %s", [event.pk]),  # noqa: S608
    ]
    for attempt in attempts:
        assert_table_unchanged(AuditEvent, attempt)
    event.object_id = "forged"
    assert_table_unchanged(AuditEvent, event.save)

    before = AuditEvent.objects.count()
    audit_event_record(
        actor=None,
        municipality=None,
        event_type=AuditEventType.SESSIONS_ENDED,
        obj=world.user(Role.INTAKE),
    )
    assert AuditEvent.objects.count() == before + 1


def test_sample_entries_can_be_added_but_not_changed_or_removed(
    sample: LogReviewSample, row: AccessLog, other_row: AccessLog
) -> None:
    table = connection.ops.quote_name(Entry._meta.db_table)
    entry = Entry.objects.get()
    attempts: list[Callable[[], object]] = [
        lambda: sample.entries.remove(row),
        sample.entries.clear,
        lambda: sample.entries.set([other_row]),
        lambda: Entry.objects.update(accesslog=other_row),
        entry.delete,
        raw(f"UPDATE {table} SET accesslog_id = %s", [other_row.pk]),  # noqa: S608
        raw(f"DELETE FROM {table}"),  # noqa: S608
    ]
    for attempt in attempts:
        assert_table_unchanged(Entry, attempt)

    # Until the review, entries may still be added (the sample is drawn in two steps).
    sample.entries.add(other_row)
    assert set(sample.entries.all()) == {row, other_row}


def test_a_sample_can_not_be_deleted(world: World, sample: LogReviewSample) -> None:
    table = connection.ops.quote_name(LogReviewSample._meta.db_table)
    empty = LogReviewSample.objects.create(
        municipality=world.municipality("eksjo"),
        month=JANUARY,
        created_by=world.user(Role.MUNICIPAL_ADMIN, "eksjo"),
    )
    attempts: list[Callable[[], object]] = [
        empty.delete,  # no entries: the sample's own trigger refuses
        sample.delete,  # its entries are deleted first, and refuse
        lambda: LogReviewSample.objects.filter(pk=empty.pk).delete(),
        raw(f"DELETE FROM {table} WHERE id = %s", [empty.pk]),  # noqa: S608
        raw(f"DELETE FROM {table} WHERE id = %s", [sample.pk]),  # noqa: S608
    ]
    for attempt in attempts:
        assert_table_unchanged(LogReviewSample, attempt)
    assert LogReviewSample.objects.count() == 2


def test_an_unreviewed_sample_can_only_be_given_its_review(
    world: World, sample: LogReviewSample
) -> None:
    eksjo = world.municipality("eksjo")
    changes: list[dict[str, object]] = [
        {"month": datetime.date(2025, 2, 1)},
        {"municipality": eksjo},
        {"created_by": world.user(Role.INTAKE)},
        {"created_at": timezone.now()},
        # A comment without who reviewed it and when is not a review.
        {"comment": "No unjustified access found"},
        {"reviewed_at": timezone.now()},
    ]
    for change in changes:

        def attempt(change: dict[str, object] = change) -> int:
            return LogReviewSample.objects.filter(pk=sample.pk).update(**change)

        assert_table_unchanged(LogReviewSample, attempt)


def test_a_sample_is_reviewed_once_through_the_service_and_the_review_never_changes(
    world: World, sample: LogReviewSample, other_row: AccessLog
) -> None:
    admin = world.user(Role.MUNICIPAL_ADMIN)
    reviewed = log_sample_review(actor=admin, sample=sample, comment="No unjustified access found")
    assert reviewed.reviewed_at is not None
    assert reviewed.reviewed_by == admin
    assert AuditEvent.objects.filter(event_type=AuditEventType.LOG_SAMPLE_REVIEWED).exists()

    table = connection.ops.quote_name(LogReviewSample._meta.db_table)
    attempts: list[Callable[[], object]] = [
        lambda: LogReviewSample.objects.filter(pk=sample.pk).update(comment="Everything fine"),
        lambda: LogReviewSample.objects.filter(pk=sample.pk).update(reviewed_at=timezone.now()),
        lambda: LogReviewSample.objects.filter(pk=sample.pk).update(reviewed_at=None),
        lambda: LogReviewSample.objects.filter(pk=sample.pk).update(
            reviewed_by=world.user(Role.INTAKE)
        ),
        raw(f"UPDATE {table} SET comment = %s WHERE id = %s", ["x", sample.pk]),  # noqa: S608
    ]
    for attempt in attempts:
        assert_table_unchanged(LogReviewSample, attempt)
    reviewed.comment = "Everything fine"
    assert_table_unchanged(LogReviewSample, reviewed.save)
    # What was reviewed stays what it was.
    assert_table_unchanged(Entry, lambda: sample.entries.add(other_row))

    with pytest.raises(ValidationError):
        log_sample_review(actor=admin, sample=sample, comment="Second thoughts")
    assert LogReviewSample.objects.get().comment == "No unjustified access found"


@pytest.mark.parametrize("model", [AuditEvent, Entry, LogReviewSample], ids=lambda m: m.__name__)
@pytest.mark.usefixtures("event", "sample")
def test_emptying_the_other_log_tables_is_refused(model: type[Model]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        # TRUNCATE skips row triggers; a statement trigger refuses it (see the access log's).
        raw("SET CONSTRAINTS ALL IMMEDIATE")()
        assert_table_unchanged(model, raw(f"TRUNCATE {table} CASCADE"))
    else:
        assert connection.vendor == "sqlite"
        assert_table_unchanged(model, raw(f"DELETE FROM {table}"))  # noqa: S608
    assert model._default_manager.exists()


# --- The application's PostgreSQL role (grant_app_role) ----------------------------------------


@contextmanager
def app_role(name: str) -> Iterator[None]:
    """Act as ``name`` for the duration; the test itself connects as a superuser."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def assert_denied(attempt: Callable[[], object]) -> None:
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        attempt()


@pytest.mark.django_db
def test_grant_app_role_refuses_roles_it_can_not_make_safe_and_says_so_on_sqlite() -> None:
    if connection.vendor == "postgresql":
        # A superuser is no application role: it bypasses privileges and triggers alike.
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            (superuser,) = cursor.fetchone()
        with pytest.raises(CommandError, match="superuser"):
            call_command("grant_app_role", role=superuser, stdout=StringIO())
        with pytest.raises(CommandError, match="does not exist"):
            call_command("grant_app_role", role=f"missing_{uuid.uuid4().hex}", stdout=StringIO())
    else:
        assert connection.vendor == "sqlite"
        out = StringIO()
        call_command("grant_app_role", role="samverkan_app", stdout=out)
        assert "only on PostgreSQL" in out.getvalue()
        assert "access/0009" in out.getvalue()


@pytest.mark.usefixtures("event")
def test_the_app_role_reads_and_appends_but_can_not_rewrite_the_logs(
    world: World, row: AccessLog, sample: LogReviewSample
) -> None:
    if connection.vendor != "postgresql":
        # SQLite has no roles; the triggers tested above are its whole protection.
        assert connection.vendor == "sqlite"
        with connection.cursor() as cursor, pytest.raises(DatabaseError):
            cursor.execute("SET ROLE samverkan_app")
        return
    role = f"samverkan_test_app_{uuid.uuid4().hex[:12]}"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {quote(role)} NOLOGIN")
    try:
        out = StringIO()
        call_command("grant_app_role", role=role, stdout=out)
        assert "cannot UPDATE, DELETE, TRUNCATE or TRIGGER" in out.getvalue()
        # Idempotent: a second run changes nothing and still passes its own check.
        call_command("grant_app_role", role=role, stdout=StringIO())
        call_command("grant_app_role", role=role, check=True, stdout=StringIO())
        admin = world.user(Role.MUNICIPAL_ADMIN)
        intake = world.unit(UnitKind.INTAKE)
        events = AuditEvent.objects.count()
        with app_role(role):
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_user")
                assert cursor.fetchone()[0] == role
            # Reading and appending: the services work as they do for the application.
            add_log_rows(user=row.user, municipality=row.municipality, at=local(2025, 2, 10))
            drawn = log_sample_create(
                actor=admin, municipality=row.municipality, month=datetime.date(2025, 2, 1)
            )
            assert drawn.entries.count() == 1
            log_sample_review(actor=admin, sample=sample, comment="No unjustified access found")
            assert AuditEvent.objects.count() == events + 2  # drawn, reviewed
            # An ordinary table may be changed.
            Unit.objects.filter(pk=intake.pk).update(name="Mottagningen")

            for model in (AccessLog, AuditEvent, Entry, LogReviewSample):
                table = quote(model._meta.db_table)
                assert_denied(raw(f"UPDATE {table} SET id = id"))  # noqa: S608
                assert_denied(raw(f"DELETE FROM {table}"))  # noqa: S608
                assert_denied(raw(f"TRUNCATE {table} CASCADE"))
                assert_denied(
                    raw(
                        f"CREATE TRIGGER t_{uuid.uuid4().hex[:8]} BEFORE INSERT ON {table} "
                        "FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()"
                    )
                )
            # The log's months (PostgreSQL partitions): made through the owner's function,
            # which the role may call, and never touched directly.
            assert ensure_partitions() == []  # the coming months are there already
            assert rows_in_default() == 1  # the row of February 2025 above: no month of its own
            month = quote(f"access_accesslog_{timezone.now():%Y_%m}")
            assert_denied(raw(f"SELECT count(*) FROM {month}"))  # noqa: S608
            assert_denied(raw(f"INSERT INTO {month} SELECT * FROM {month}"))  # noqa: S608
            assert_denied(raw(f"DELETE FROM {month}"))  # noqa: S608
            assert_denied(raw(f"TRUNCATE {month}"))
            assert_denied(lambda: AuditEvent.objects.update(object_id="forged"))
            assert_denied(lambda: LogReviewSample.objects.update(month=JANUARY))
            # Nor can it switch the triggers off for its session, as the test teardown does.
            assert_denied(raw("SET session_replication_role = replica"))
        assert Unit.objects.get(pk=intake.pk).name == "Mottagningen"
        assert AccessLog.objects.filter(pk=row.pk).exists()
    finally:
        with connection.cursor() as cursor:
            # DROP OWNED takes back the grants, so that the role can be dropped.
            cursor.execute(f"DROP OWNED BY {quote(role)}")
            cursor.execute(f"DROP ROLE {quote(role)}")
