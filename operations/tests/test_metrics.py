"""/metrics: the token is the only way in (the same 404 otherwise, for everybody), the request
counters move, the figures from the database are right and cost a fixed number of queries,
and nothing in the output identifies a person."""

import datetime
import re
from unittest import mock

import pytest
from django.db import DatabaseError, connection
from django.tasks import TaskResultStatus
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from access.models import AccessLog
from governance.tests import builders as governance_builders
from operations.services import periodic_run_record
from organisations.models import Role
from reports.tasks import run_watchdog
from reports.tests import builders as report_builders
from sip.models import Plan
from sip.tests.indicator_scenario import active_plan
from tests.matrix import assert_matrix, everyone_else

TOKEN = "metrics-token-for-tests-0123456789abcdef"
AUTHORIZED = {"Authorization": f"Bearer {TOKEN}"}
# The scrape's queries: municipalities, overdue reports, governance documents and their
# current versions (none without documents), plans, the task queue (states, failures), the
# periodic runs.
SCRAPE_QUERIES = 8


@pytest.fixture
def token(settings) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def samples(content: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def scrape(client: Client | None = None) -> bytes:
    response = (client or Client()).get(reverse("metrics"), headers=AUTHORIZED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-cache" in response["Cache-Control"]
    return response.content


# --- who gets in -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_configured_token_the_endpoint_is_a_404_for_everybody(settings):
    settings.METRICS_TOKEN = ""
    client = Client()
    assert client.get(reverse("metrics")).status_code == 404
    for header in ("Bearer ", "Bearer x", f"Bearer {TOKEN}"):
        assert client.get(reverse("metrics"), headers={"Authorization": header}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        f"Basic {TOKEN}",
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
        f"Bearer{TOKEN}",
        "Bearer",
        f"Token {TOKEN}",
    ],
)
@pytest.mark.usefixtures("token")
def test_a_missing_or_wrong_token_gets_the_same_404_as_a_missing_page(header):
    headers = {"Authorization": header} if header is not None else {}
    response = Client().get(reverse("metrics"), headers=headers)
    missing = Client().get("/no-such-page")
    assert response.status_code == missing.status_code == 404
    # The same page, but for the path (in the language switch's "next") and the random tokens.
    assert _page(response.content, "/metrics") == _page(missing.content, "/no-such-page")


def _page(content: bytes, path: str) -> bytes:
    content = content.replace(path.encode(), b"PATH")
    content = re.sub(rb'nonce="[^"]*"', b"", content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


@pytest.mark.django_db
@pytest.mark.usefixtures("token")
def test_the_right_token_gets_the_metrics_and_only_by_get():
    content = scrape()
    assert b"samverkan_database_up 1.0" in content
    assert Client().post(reverse("metrics"), headers=AUTHORIZED).status_code == 405


@pytest.mark.usefixtures("token", "two_factor_set_up")
def test_a_session_is_no_substitute_for_the_token(client, world):
    # Every user of both municipalities, the municipal admin included, gets the 404.
    assert_matrix(client, reverse("metrics"), [(None, 404)])
    assert_matrix(client, reverse("metrics"), [(user, 404) for user in everyone_else(world, [])])
    admin = world.user(Role.MUNICIPAL_ADMIN)
    assert_matrix(client, reverse("metrics"), [(admin, 404)])


# --- what it says ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("token")
def test_requests_are_counted_by_route_method_and_status_class():
    key = (
        "samverkan_http_requests_total",
        (("method", "GET"), ("route", "core:healthz"), ("status", "2xx")),
    )
    missing = (
        "samverkan_http_requests_total",
        (("method", "GET"), ("route", "unmatched"), ("status", "4xx")),
    )
    before = samples(scrape())
    client = Client()
    client.get(reverse("core:healthz"))
    client.get(reverse("core:healthz"))
    client.get("/finns-inte/")
    after = samples(scrape())
    assert after[key] == before.get(key, 0) + 2
    assert after[missing] == before.get(missing, 0) + 1
    histogram_count = ("samverkan_http_request_duration_seconds_count", key[1])
    assert after[histogram_count] == before.get(histogram_count, 0) + 2


@pytest.mark.usefixtures("token")
def test_the_figures_from_the_database_per_municipality_code(world):
    now = timezone.now()
    report_builders.submitted(world, now=now - datetime.timedelta(days=60))
    report_builders.submitted(world, now=now)  # not overdue yet
    document = governance_builders.document(world)
    governance_builders.version(world, document, approved_on=datetime.date(2024, 1, 10))
    plan = active_plan(world, follow_up_on=timezone.localdate() + datetime.timedelta(days=10))
    Plan.objects.filter(pk=plan.pk).update(
        follow_up_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    periodic_run_record(job="reports.tasks.run_watchdog", at=now)
    _queue(now)

    found = samples(scrape())
    for name, leksand in (
        ("samverkan_overdue_reports", 1),
        ("samverkan_overdue_governance_revisions", 1),
        ("samverkan_overdue_sip_follow_ups", 1),
    ):
        assert found[(name, (("municipality", "2029"),))] == leksand, name
        assert found[(name, (("municipality", "0686"),))] == 0, name
    assert found[("samverkan_tasks", (("state", "ready"),))] == 2
    assert found[("samverkan_tasks", (("state", "failed"),))] == 1
    assert found[("samverkan_tasks", (("state", "running"),))] == 0
    age = found[("samverkan_tasks_oldest_ready_age_seconds", ())]
    assert 20 * 60 <= age < 21 * 60
    task = (("task", "reports.tasks.run_watchdog"),)
    assert found[("samverkan_tasks_failed", task)] == 1
    job = (("job", "reports.tasks.run_watchdog"),)
    assert found[("samverkan_periodic_last_success_timestamp_seconds", job)] == pytest.approx(
        now.timestamp()
    )


def _queue(now: datetime.datetime) -> None:
    """Two ready tasks (one waiting 20 minutes), one scheduled for later, one failed."""
    for minutes in (20, 1):
        DBTaskResult.objects.create(
            task_path="reports.tasks.run_watchdog",
            args_kwargs={"args": [], "kwargs": {}},
            backend_name="default",
            queue_name="default",
            run_after=timezone.now() - datetime.timedelta(minutes=minutes),
        )
    DBTaskResult.objects.create(
        task_path="reports.tasks.run_watchdog",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=now + datetime.timedelta(hours=1),
    )
    DBTaskResult.objects.create(
        task_path="reports.tasks.run_watchdog",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=now,
        status=TaskResultStatus.FAILED,
    )


@pytest.mark.usefixtures("token")
def test_the_scrape_costs_the_same_queries_for_more_rows(world, django_assert_num_queries):
    client = Client()
    now = timezone.now()
    report_builders.submitted(world, now=now - datetime.timedelta(days=20))
    document = governance_builders.document(world, title="Rutin 1")
    governance_builders.version(world, document)
    with django_assert_num_queries(SCRAPE_QUERIES):
        scrape(client)
    for days in (30, 40, 50):
        report_builders.submitted(world, now=now - datetime.timedelta(days=days))
    for place in ("leksand", "eksjo"):
        document = governance_builders.document(world, place, title=f"Rutin {place}")
        governance_builders.version(world, document, approved_on=datetime.date(2024, 1, 10))
    _queue(now)
    with django_assert_num_queries(SCRAPE_QUERIES):
        scrape(client)


@pytest.mark.usefixtures("token")
def test_no_personal_data_in_the_output(world):
    report = report_builders.submitted(
        world, now=timezone.now() - datetime.timedelta(days=30), child_name="Selma Lagerlöfsson"
    )
    run_watchdog.enqueue()
    access_log_rows = AccessLog.objects.count()
    text = scrape().decode()
    assert AccessLog.objects.count() == access_log_rows  # aggregates read no child's data
    assert report.child_identity_number not in text
    assert report.child_identity_number[2:8] not in text
    assert "Selma" not in text
    assert "@" not in text
    for place in world.places.values():
        assert place.municipality.name not in text
        for user in place.users.values():
            assert user.username not in text
    assert 'municipality="2029"' in text


@pytest.mark.django_db
@pytest.mark.usefixtures("token")
def test_the_database_down_is_a_zero_not_an_error():
    with mock.patch.object(connection, "ensure_connection", side_effect=DatabaseError("down")):
        content = scrape()
    assert b"samverkan_database_up 0.0" in content
    assert b"samverkan_overdue_reports" not in content
    assert b"samverkan_http_requests_total" in content
