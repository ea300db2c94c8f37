"""Capture what the project's own logging configuration writes, as JSON lines, in a test."""

import copy
import io
import logging.config
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings


@contextmanager
def json_log_lines() -> Iterator[list[str]]:
    """``settings.LOGGING`` with the console handler writing JSON (as in production) to a
    buffer; yields the list that holds the lines written once the block ends."""
    config = copy.deepcopy(settings.LOGGING)
    buffer = io.StringIO()
    config["handlers"]["console"].update({"formatter": "json", "stream": buffer})
    config["root"]["level"] = "DEBUG"
    lines: list[str] = []
    logging.config.dictConfig(config)
    try:
        yield lines
    finally:
        logging.config.dictConfig(settings.LOGGING)
        lines.extend(line for line in buffer.getvalue().splitlines() if line)
