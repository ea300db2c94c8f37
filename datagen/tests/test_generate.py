"""The generator: deterministic, counts as in the manifest, data the app's pages work on,
and never run into a database that holds data."""

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Min
from django.test import Client
from django.urls import reverse

from access.models import AccessLog
from datagen.runner import PASSWORD, Options, generate
from reports.models import CaseAssignment, ConcernReport, ConcernReportCategory, ReportStatus

AS_OF = datetime.date(2026, 12, 1)


def _generate_and_roll_back(seed: int) -> dict[str, Any]:
    """The manifest of a run whose rows are rolled back, so the next run starts empty."""
    with transaction.atomic():
        manifest = generate(Options(profile="tiny", seed=seed, as_of=AS_OF, rollups=False))
        transaction.set_rollback(True)
    return manifest


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_hash_and_another_seed_another():
    first = _generate_and_roll_back(1)
    again = _generate_and_roll_back(1)
    other = _generate_and_roll_back(2)

    assert first["content_hash"].startswith("sha256:")
    assert again["content_hash"] == first["content_hash"]
    assert again["counts"] == first["counts"]
    assert other["content_hash"] != first["content_hash"]


def _count(label: str) -> int:
    return apps.get_model(label)._default_manager.count()


def _get(client: Client, username: str, url: str) -> int:
    client.logout()
    assert client.login(username=username, password=PASSWORD), username
    return client.get(url).status_code


@pytest.mark.django_db
def test_a_generated_installation_works_and_matches_its_manifest(tmp_path: Path):
    path = tmp_path / "tiny.json"
    call_command(
        "generate", "--profile", "tiny", "--seed", "3", "--as-of", "2026-12-01",
        "--manifest", str(path),
    )  # fmt: skip
    manifest = json.loads(path.read_text(encoding="utf-8"))

    assert manifest["as_of"] == "2026-12-01"
    assert {label: _count(label) for label in manifest["counts"]} == manifest["counts"]
    assert manifest["counts"]["reports.ConcernReport"] >= 500
    assert manifest["counts"]["followup.Rollup"] > 0
    # Overdue steps are recent, as in a working intake: every open report arrived within the
    # last 90 days (the stuck ones 30 to 90 days ago, the rest are still being worked).
    still_open = ConcernReport.objects.exclude(status__in=[ReportStatus.DRAFT, ReportStatus.CLOSED])
    oldest = still_open.aggregate(oldest=Min("submitted_at"))["oldest"]
    assert oldest is not None
    assert oldest.date() >= AS_OF - datetime.timedelta(days=91)
    samples = manifest["samples"]
    assert samples["report_open"]
    assert samples["report_closed"]
    assert samples["report_by_teacher"]
    users = manifest["users"]
    client = Client()
    # The intake worker of the largest municipality: the inbox and an open report.
    assert _get(client, users["intake"], reverse("reports:inbox")) == 200
    detail = reverse("reports:intake_detail", args=[samples["report_open"][0]])
    assert _get(client, users["intake"], detail) == 200
    closed = reverse("reports:intake_detail", args=[samples["report_closed"][0]])
    assert _get(client, users["intake"], closed) == 200
    # The teacher: their reports, one of them, and the start page.
    assert _get(client, users["teacher"], reverse("reports:my_reports")) == 200
    status = reverse("reports:status", args=[samples["report_by_teacher"][0]])
    assert _get(client, users["teacher"], status) == 200
    assert _get(client, users["teacher"], reverse("core:start")) == 200
    # The coordinator sees no child: the start page only, and not the intake's inbox.
    assert _get(client, users["coordinator"], reverse("core:start")) == 200
    document = reverse("governance:document_detail", args=[samples["governance_document"][0]])
    assert _get(client, users["coordinator"], document) == 200
    occurrence = reverse("wheel:occurrence_detail", args=[samples["wheel_occurrence"][0]])
    assert _get(client, users["coordinator"], occurrence) == 200
    assert _get(client, users["intake"], reverse("core:start")) == 200
    assert manifest["users_small"]["intake"] != users["intake"]

    # Never into a database that holds data.
    with pytest.raises(CommandError, match="already holds municipalities"):
        call_command("generate", "--profile", "tiny", "--seed", "4", "--manifest", str(path))


def _schema(tables: list[str]) -> dict[str, dict[str, tuple[object, ...]]]:
    """Each table's indexes and constraints as Django reads them from the database: name,
    columns, and what it is (foreign key target, index, unique, primary key)."""
    with connection.cursor() as cursor:
        return {
            table: {
                name: (
                    tuple(details["columns"]),
                    details["foreign_key"],
                    details["index"],
                    details["unique"],
                    details["primary_key"],
                )
                for name, details in connection.introspection.get_constraints(cursor, table).items()
            }
            for table in tables
        }


@pytest.mark.django_db
def test_the_loaded_tables_end_with_their_indexes_and_foreign_keys():
    """PostgreSQL's load drops the big tables' indexes and foreign keys and makes them again
    at its end (checking every row); SQLite's keeps them. Either way the schema ends as it
    began."""
    tables = [
        model._meta.db_table
        for model in (ConcernReport, ConcernReportCategory, CaseAssignment, AccessLog)
    ]
    before = _schema(tables)
    keys = [name for name, details in before[tables[0]].items() if details[1]]
    assert len(keys) >= 10  # the reports' foreign keys
    with transaction.atomic():
        generate(Options(profile="tiny", seed=5, as_of=AS_OF, rollups=False))
        after = _schema(tables)
        transaction.set_rollback(True)
    assert after == before
