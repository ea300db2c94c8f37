"""What a test does when a tool it needs is not installed: skip on a developer's machine,
fail in CI (the ``CI`` environment variable set to anything but "", "0", "false" or "no"),
where no test may be skipped."""

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def skip_unless_ci(reason: str) -> NoReturn:
    """Skip the running test with ``reason``; in CI fail it instead."""
    if in_ci():
        pytest.fail(f"{reason}. CI is set, and no test may be skipped in CI.")
    pytest.skip(reason)
