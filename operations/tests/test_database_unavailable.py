"""The friendly 503 page when the database does not answer: in-process, by making every use
of the connection fail where, and as, a refused connection fails (``ensure_connection``, with
the driver's OperationalError wrapped by Django). The real outage, a stopped PostgreSQL under
gunicorn, is the process-level test of the deployment (issue 12)."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from prometheus_client.parser import text_string_to_metric_families

from operations.metrics import scrape
from operations.tests.logs import json_log_lines
from organisations.models import Role

SWEDISH_HEADING = "Tjänsten är tillfälligt otillgänglig"


def _refuse() -> None:
    with connection.wrap_database_errors:
        raise connection.Database.OperationalError("connection refused (test)")  # type: ignore[attr-defined]


@contextmanager
def database_refuses() -> Iterator[None]:
    with mock.patch.object(connection, "ensure_connection", side_effect=_refuse):
        yield


def _logged_in_client(world, totp, language: str = "sv") -> Client:
    user = world.user(Role.REPORTER)
    totp(user)
    client = Client(raise_request_exception=False, headers={"Accept-Language": language})
    client.force_login(user)
    return client


@pytest.fixture
def swedish_client(world, totp) -> Client:
    return _logged_in_client(world, totp)


def test_a_logged_in_page_answers_503_with_the_swedish_page(swedish_client):
    with database_refuses():
        response = swedish_client.get(reverse("reports:my_reports"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert f"<h1>{SWEDISH_HEADING}</h1>" in page
    assert "Vänta en minut och försök igen." in page
    assert '<html lang="sv">' in page
    assert "Traceback" not in page


def test_a_form_post_answers_503_too(swedish_client):
    with database_refuses():
        response = swedish_client.post(reverse("reports:new"), {"school": "1"})
    assert response.status_code == 503
    assert SWEDISH_HEADING in response.content.decode()


@pytest.fixture
def english_client(world, totp) -> Client:
    return _logged_in_client(world, totp, language="en")


def _unavailable_count() -> float:
    for family in text_string_to_metric_families(scrape().decode()):
        for sample in family.samples:
            if sample.name == "samverkan_database_unavailable_responses_total":
                return sample.value
    raise AssertionError("the counter is missing")


def test_the_503_answers_are_counted(swedish_client):
    before = _unavailable_count()
    with database_refuses():
        swedish_client.get(reverse("reports:my_reports"))
        swedish_client.get(reverse("core:start"))
    assert _unavailable_count() == before + 2


def test_the_page_in_english(english_client):
    with database_refuses():
        response = english_client.get(reverse("core:start"))
    assert response.status_code == 503
    assert response["Content-Language"] == "en"
    assert "<h1>The service is temporarily unavailable</h1>" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_get_the_page_and_healthz_says_503():
    client = Client(raise_request_exception=False)
    # The login page reads the database through allauth's rate limits and the session.
    with database_refuses():
        response = client.post(reverse("account_login"), {"login": "x", "password": "y"})
        health = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    assert health.status_code == 503
    assert health.json() == {"status": "error", "database": "unavailable"}


def test_the_outage_is_one_log_line_per_request_without_a_traceback(swedish_client):
    with json_log_lines() as lines, database_refuses():
        swedish_client.get(reverse("reports:my_reports"))
    entries = [json.loads(line) for line in lines]
    problems = [entry for entry in entries if entry["level"] in {"ERROR", "CRITICAL"}]
    assert [entry["message"] for entry in problems] == [
        "Database unavailable (OperationalError): answered 503"
    ]
    assert not any("exception" in entry for entry in entries)
    request_lines = [entry for entry in entries if entry["logger"] == "samverkan.request"]
    assert [(e["route"], e["status"]) for e in request_lines] == [("reports:my_reports", 503)]
    assert {entry["request_id"] for entry in entries} == {request_lines[0]["request_id"]}


def test_other_errors_stay_a_500(world, totp):
    client = _logged_in_client(world, totp)
    with mock.patch("core.views.start_sections", side_effect=RuntimeError("bug")):
        response = client.get(reverse("core:start"))
    assert response.status_code == 500
    with translation.override("sv"):
        assert SWEDISH_HEADING not in response.content.decode()


def test_after_the_outage_pages_work_again(world, totp):
    client = _logged_in_client(world, totp)
    with database_refuses():
        assert client.get(reverse("reports:my_reports")).status_code == 503
    # The server is back: the next request connects again, nothing to restart.
    assert client.get(reverse("reports:my_reports")).status_code == 200
