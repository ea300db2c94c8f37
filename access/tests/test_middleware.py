"""The request-id middleware: every response carries X-Request-ID; a proxy's id is kept only
behind a trusted proxy (TRUSTED_PROXY_COUNT >= 1) and only when it is short and harmless."""

import re

import pytest
from django.test import Client

from access.context import current_request_id

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.django_db
def test_every_response_has_a_request_id(client: Client) -> None:
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert GENERATED.fullmatch(first)
    assert GENERATED.fullmatch(second)
    assert first != second
    assert current_request_id.get() == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming", ["abcdefgh", "lb-7f3a9c.request_42", "A" * 64, "0123456789abcdef0123456789abcdef"]
)
def test_a_safe_incoming_id_is_kept_behind_a_trusted_proxy(
    client: Client, settings: object, incoming: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1  # type: ignore[attr-defined]
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] == incoming


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    [
        "has spaces in it",
        "A" * 65,
        "<script>alert(1)</script>",
        "short",
        "",
        "abcdefgh\n",
        "abcdefgh\r\nSet-Cookie: x=1",
        "räksmörgås-123",
        "../../etc/passwd",
    ],
)
def test_an_unsafe_incoming_id_is_replaced(client: Client, settings: object, incoming: str) -> None:
    settings.TRUSTED_PROXY_COUNT = 1  # type: ignore[attr-defined]
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.status_code == 200
    assert GENERATED.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
def test_without_a_trusted_proxy_the_clients_id_is_ignored(
    client: Client, settings: object
) -> None:
    # The default: a client could otherwise choose the id written to the access log.
    settings.TRUSTED_PROXY_COUNT = 0  # type: ignore[attr-defined]
    response = client.get("/healthz", headers={"X-Request-ID": "client-chosen-id-123"})
    assert response["X-Request-ID"] != "client-chosen-id-123"
    assert GENERATED.fullmatch(response["X-Request-ID"])


def test_the_default_trusts_no_proxy() -> None:
    from config import settings as project_settings

    assert project_settings.TRUSTED_PROXY_COUNT == 0
    assert project_settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
