"""The permission matrix: one call checks a URL for anonymous users, the right roles, the wrong
roles and the other municipality. Every view test uses it."""

from collections.abc import Iterable
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
