"""Tests that start the production stack's real processes (deploy/local_stack.py): gunicorn,
the task workers, the SMTP sink, and their own PostgreSQL databases and roles, on
127.0.0.1:5432 (or PGHOST/PGPORT) whatever database the rest of the suite uses.

They need PostgreSQL (advisory locks, roles, ``pg_ctl``), so they are collected only when the
suite runs on PostgreSQL (``DATABASE_URL`` starting with ``postgres``): on SQLite the files
``test_stack_*.py`` are not collected at all (``collect_ignore_glob``), rather than skipped,
since CI allows no skipped test. ``test_deploy_files.py`` needs no database and always runs.

One stack is started per test session and shared (the root conftest sends these modules to
one pytest-xdist worker together); tests that stop a process start it again before they end.
The PostgreSQL restart test starts a private cluster.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    collect_ignore_glob = ["test_stack_*.py"]


@pytest.fixture(scope="session")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """collectstatic once for all the stacks of a test run."""
    return tmp_path_factory.mktemp("static")


@pytest.fixture(scope="session")
def stack(static_root: Path) -> Iterator[Any]:
    from deploy.local_stack import Stack

    started = Stack(static_root=static_root, web_workers=1)
    try:
        started.up(timers=False)
        yield started
    finally:
        started.down()


@pytest.fixture(scope="session")
def people(stack: Any) -> dict:
    from deploy.smoke import people as make_people

    return make_people(stack)


@pytest.fixture(scope="session")
def reporter(stack: Any, people: dict) -> Any:
    """The school reporter of Leksand, logged in once for the session: every login counts
    towards the per-address login limit (30 a minute), which all tests share."""
    from deploy.smoke import logged_in

    return logged_in(stack, people, "reporter.leksand")
