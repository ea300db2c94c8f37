"""The request-id middleware: every response carries X-Request-ID; a proxy's id is kept only
when it is short and harmless."""

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
def test_a_safe_incoming_id_is_kept(client: Client, incoming: str) -> None:
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
def test_an_unsafe_incoming_id_is_replaced(client: Client, incoming: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.status_code == 200
    assert GENERATED.fullmatch(response["X-Request-ID"])
