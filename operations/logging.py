"""Log lines without personal data: one JSON object per line in production, plain text in
development (``LOG_FORMAT``), both scrubbed.

Whatever a message or a traceback says, identity numbers (personnummer, samordningsnummer,
also mistyped ones: ``core.personnummer.find_identity_numbers``) and e-mail addresses are
replaced before the line is written. Exceptions can quote what a user typed (a database error
repeats the value that broke a constraint), so their text is scrubbed too. Names can not be
found by a pattern: code must not log them, and the log-scan test
(``operations/tests/test_log_scan.py``) drives the paths that handle them to show it does not.
The JSON line carries only the fields listed in ``_FIELDS``, never arbitrary ``extra`` values.
"""

import datetime
import json
import logging
import re
from typing import Any

from django.db import InterfaceError, OperationalError

from access.context import current_request_id
from core.personnummer import find_identity_numbers
from operations.context import current_task

# Local part, "@", and a domain with at least one dot; \w takes å, ä, ö as well.
_EMAIL = re.compile(r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+")
IDENTITY_NUMBER_MARK = "[identity number]"
EMAIL_MARK = "[e-mail]"

# Fields a request's middleware (or other code) may add with ``extra=``; nothing else is copied.
_FIELDS = ("method", "route", "status", "duration_ms", "user_id")


def scrub(text: str) -> str:
    """``text`` with every identity-number-like string and e-mail address replaced."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_MARK, text)
    # Longest first, so that a 12-digit number is not left half-replaced by its 10-digit tail.
    for found in sorted(set(find_identity_numbers(text)), key=len, reverse=True):
        text = text.replace(found, IDENTITY_NUMBER_MARK)
    return text


def request_id_of(record: logging.LogRecord) -> str | None:
    """The id of the request the record belongs to. Django logs a request's 4xx/5xx answer
    after the middleware that holds the id has returned, but passes the request along."""
    request = getattr(record, "request", None)
    return (
        getattr(record, "request_id", None)
        or getattr(request, "request_id", None)
        or current_request_id.get()
        or None
    )


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, the
    request fields when given, the process and the running task, and the scrubbed traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": request_id_of(record),
            "process": record.process,
        }
        for field in _FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        task = current_task.get()
        if task is not None:
            line["task"] = task.name
            line["task_id"] = task.id
        if record.exc_info:
            line["exception"] = scrub(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = scrub(record.exc_text)
        return json.dumps(line, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """Development's readable lines, with the request id and the same scrubbing."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id_text)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id_text = request_id_of(record) or "-"
        return scrub(super().format(record))


def is_database_unavailable(error: BaseException | None) -> bool:
    """A lost or refused database connection (also a lock or statement timeout: all of them
    are answered with the 503 page, see ``operations.middleware``)."""
    return isinstance(error, (OperationalError, InterfaceError))


class DropDatabaseUnavailableTracebacks(logging.Filter):
    """On ``django.request``: a request that failed because the database is unavailable is
    logged once, in one line, by ``DatabaseUnavailableMiddleware``. Without this filter every
    such request would also write Django's "Internal Server Error" with a full traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and is_database_unavailable(record.exc_info[1]))
