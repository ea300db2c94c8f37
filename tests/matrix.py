"""The permission matrix: one call checks a URL for anonymous users, the right roles, the wrong
roles and the other municipality. Every view test uses it."""

import ast
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.test import Client

from organisations.models import User

LOGIN = "login"  # expected outcome: redirect to the login page


def assert_matrix(
    client: Client,
    url: str,
    expectations: Iterable[tuple[User | None, int | str]],
    *,
    method: str = "get",
    data: dict[str, Any] | None = None,
) -> None:
    """For each (user, expected) pair: log in as that user (None = anonymous), request the URL,
    and check the status code, or ``LOGIN`` for a redirect to the login page."""
    failures = []
    for user, expected in expectations:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = getattr(client, method)(url, data or {})
        who = user.username if user else "anonymous"
        if expected == LOGIN:
            ok = response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            ok = response.status_code == expected
        if not ok:
            failures.append(f"{who}: expected {expected}, got {response.status_code}")
    client.logout()
    assert not failures, f"{method.upper()} {url}: " + "; ".join(failures)


def everyone_else(world: Any, allowed: Iterable[User]) -> list[User]:
    """Every user of the test world not in ``allowed``: the outsiders of a view."""
    allowed_ids = {user.pk for user in allowed}
    return [
        user
        for place in world.places.values()
        for user in place.users.values()
        if user.pk not in allowed_ids
    ]


# --- which URL names the matrix tests exercise (read statically, so it works with any subset
# of tests, in any order, in parallel workers) --------------------------------------------------


def _module_level_names(tree: ast.Module) -> dict[str, ast.AST]:
    """Top-level functions (tests, helpers, fixtures) and assignments, by name."""
    found: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node
    return found


def _calls_matrix(node: ast.AST) -> bool:
    return any(
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == assert_matrix.__name__
        for call in ast.walk(node)
    )


def matrix_url_names(source: str) -> set[str]:
    """The strings of one test module that its permission-matrix tests use: every string
    constant in a function that calls :func:`assert_matrix` (its decorators, e.g.
    ``parametrize``, included) and in the module's helpers, fixtures and constants that such a
    function refers to, directly or through another helper. A URL name among them is one the
    module's matrix tests request (``reverse("reports:inbox")`` or a parametrized name). A
    name built as ``f"reports:{name}"`` counts with each string the tests use for ``name``."""
    tree = ast.parse(source)
    top = _module_level_names(tree)
    todo = [node for node in top.values() if _calls_matrix(node)]
    seen: set[int] = set()
    strings: set[str] = set()
    prefixes: set[str] = set()
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for child in ast.walk(node):
            if isinstance(child, ast.Constant) and isinstance(child.value, str):
                strings.add(child.value)
            if isinstance(child, ast.JoinedStr):
                prefix = _namespace_prefix(child)
                if prefix:
                    prefixes.add(prefix)
            # Helpers and constants by name; fixtures by the test's parameter names.
            referred = child.id if isinstance(child, ast.Name) else None
            if isinstance(child, ast.arg):
                referred = child.arg
            if referred in top and referred is not None:
                todo.append(top[referred])
    return strings | {prefix + string for prefix in prefixes for string in strings}


def _namespace_prefix(text: ast.JoinedStr) -> str | None:
    """``"reports:"`` for ``f"reports:{name}"``; None for any other f-string."""
    match text.values:
        case [ast.Constant(value=str(prefix)), ast.FormattedValue()] if prefix.endswith(":"):
            return prefix
    return None


def matrix_covered_url_names(test_files: Iterable[Path]) -> set[str]:
    """Every string the permission-matrix tests of these files use (see above)."""
    covered: set[str] = set()
    for test_file in test_files:
        source = test_file.read_text(encoding="utf-8")
        if assert_matrix.__name__ in source:
            covered |= matrix_url_names(source)
    return covered
