"""What the process tests share: reading the stack's database, waiting, counting."""

import time
from collections.abc import Callable
from typing import Any


def sql(stack: Any, query: str, *params: object) -> list[tuple]:
    """Rows of a query in the stack's database, as the superuser (reading what happened)."""
    with stack.postgres.connect(stack.state.database) as connection:
        cursor = connection.execute(query, params)
        return list(cursor.fetchall()) if cursor.description else []


def wait_for(check: Callable[[], Any], timeout: float = 120, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"not within {timeout} s")
