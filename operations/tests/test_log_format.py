"""The formatters: what a JSON line holds, what is scrubbed, and the plain format."""

import json
import logging
import sys

import pytest

from access.context import current_request_id
from operations.context import RunningTask, current_task
from operations.logging import (
    DropDatabaseUnavailableTracebacks,
    JsonFormatter,
    PlainFormatter,
    scrub,
)


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("samverkan.test", logging.WARNING, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


@pytest.mark.parametrize(
    "text",
    [
        "20120315-9801",
        "201203159801",
        "120315-9801",
        "1203159801",
        "120315+9801",
        "120375-9801",  # samordningsnummer: day + 60
        "120315 9801",
    ],
)
def test_identity_numbers_in_every_shape_are_replaced(text):
    assert scrub(f"barn {text} hittades") == "barn [identity number] hittades"


def test_email_addresses_are_replaced_and_ordinary_text_is_kept():
    assert scrub("från åsa.öberg+x@skola.leksand.se i dag") == "från [e-mail] i dag"
    kept = "Datum 2026-03-10, telefon 070-123 45 67, id 42, rapport R-2026-0001"
    assert scrub(kept) == kept


def test_a_json_line_has_the_fields_and_nothing_else_from_extra():
    token = current_request_id.set("abc123def456")
    try:
        line = JsonFormatter().format(
            _record(
                "saved %s",
                "201203159801",
                route="reports:draft_edit",
                status=302,
                duration_ms=12.5,
                user_id=7,
                method="POST",
                child_name="Astrid",
            )
        )
    finally:
        current_request_id.reset(token)
    entry = json.loads(line)
    assert entry["message"] == "saved [identity number]"
    assert entry["request_id"] == "abc123def456"
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "samverkan.test"
    assert entry["time"].endswith("+00:00")
    assert {key: entry[key] for key in ("route", "status", "duration_ms", "user_id", "method")} == {
        "route": "reports:draft_edit",
        "status": 302,
        "duration_ms": 12.5,
        "user_id": 7,
        "method": "POST",
    }
    assert "child_name" not in entry
    assert "Astrid" not in line
    assert "\n" not in line


def test_a_task_line_names_the_task_and_the_traceback_is_scrubbed():
    try:
        raise ValueError("no child 120315-9801 for anna@example.se")
    except ValueError:
        record = _record("failed")
        record.exc_info = sys.exc_info()
    token = current_task.set(RunningTask(name="reports.tasks.run_watchdog", id="t-1"))
    try:
        entry = json.loads(JsonFormatter().format(record))
    finally:
        current_task.reset(token)
    assert entry["task"] == "reports.tasks.run_watchdog"
    assert entry["task_id"] == "t-1"
    assert entry["request_id"] is None
    assert "ValueError: no child [identity number] for [e-mail]" in entry["exception"]


def test_the_plain_format_is_scrubbed_too():
    line = PlainFormatter().format(_record("login failed for %s", "anna@example.se"))
    assert line.endswith("WARNING samverkan.test [-] login failed for [e-mail]")


def test_django_tracebacks_of_an_unavailable_database_are_dropped_others_kept():
    from django.db import OperationalError

    keep = DropDatabaseUnavailableTracebacks()
    for error, kept in ((OperationalError("down"), False), (RuntimeError("bug"), True)):
        record = _record("Internal Server Error: /x/")
        record.exc_info = (type(error), error, None)
        assert keep.filter(record) is kept
    assert keep.filter(_record("Not Found: /x/"))
