"""Parallel submits of one draft, with real threads and a connection each: on SQLite (the
embedded default) as on PostgreSQL, no request fails, one report is submitted and one audit
event written. The suite runs on whichever database is configured; neither is skipped."""

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from access.models import AuditEvent, AuditEventType
from organisations.models import Role, User
from reports import services_school
from reports.models import ConcernReport, ReportStatus, SubmissionKey
from reports.tests.test_school_drafts import draft, edit_url, form_data
from tests.flush import flush_past_append_only_triggers
from tests.world import World

THREADS = 4
# The longest a thread may take; a lock that is never released fails the test, not the run.
JOIN_SECONDS = 60

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def _flushable() -> Iterator[None]:
    # Module scope: in place before pytest-django's database fixture, so still in place when
    # that fixture empties the tables after each test.
    with flush_past_append_only_triggers():
        yield


@pytest.fixture
def teacher(world: World) -> User:
    teacher = world.user(Role.REPORTER)
    Authenticator.objects.create(user=teacher, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return teacher


def run_together(calls: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run the calls in threads released at the same moment; each thread has its own
    database connection (Django's are per thread) and closes it when done."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []

    def worker(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results.append(call())
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return results, errors


def logged_in(user: User) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


def assert_submitted_once(teacher: User) -> None:
    assert ConcernReport.objects.filter(author=teacher).count() == 1
    assert ConcernReport.objects.get(author=teacher).status == ReportStatus.SUBMITTED
    assert SubmissionKey.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=AuditEventType.REPORT_SUBMITTED).count() == 1


def test_the_database_is_one_that_threads_can_share() -> None:
    # An in-memory SQLite database is shared between threads only in shared-cache mode,
    # whose table locks ignore the busy timeout: these tests need the file database.
    assert not (connection.vendor == "sqlite" and connection.is_in_memory_db())  # type: ignore[attr-defined]


@pytest.mark.parametrize("same_form", [True, False], ids=["double-click", "two-tabs"])
def test_parallel_submits_of_one_draft_submit_it_once(
    world: World, teacher: User, same_form: bool
) -> None:
    report = draft(world, author=teacher)
    data = form_data(report, submit="")
    clients = [logged_in(teacher) for _ in range(THREADS)]

    def submit(client: Client) -> Callable[[], Any]:
        # Two tabs have a submission key each; a double click sends the same one twice.
        own = data if same_form else {**data, "submission_key": str(uuid.uuid4())}
        return lambda: client.post(edit_url(report), own)

    responses, errors = run_together([submit(client) for client in clients])

    assert errors == []
    receipt = reverse("reports:receipt", args=[report.public_id])
    status = reverse("reports:status", args=[report.public_id])
    assert sorted(response.status_code for response in responses) == [302] * THREADS
    assert {response["Location"] for response in responses} <= {receipt, status}
    assert receipt in {response["Location"] for response in responses}
    assert_submitted_once(teacher)


def test_parallel_calls_of_the_submit_service_submit_once(world: World, teacher: User) -> None:
    report = draft(world, author=teacher)
    key = uuid.uuid4()

    def submit() -> ConcernReport:
        mine = ConcernReport.objects.get(pk=report.pk)
        return services_school.report_submit(report=mine, actor=teacher, submission_key=key)

    results, errors = run_together([submit] * THREADS)

    assert errors == []
    assert {result.status for result in results} == {ReportStatus.SUBMITTED}
    assert_submitted_once(teacher)
