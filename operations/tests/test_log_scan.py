"""The log-scan test (issue 12): real requests and a task that carry identity numbers, names
and e-mail addresses go through the app with the production log format, and no line written
holds any of them. Every line is one JSON object with a request id (or, outside a request,
the task it belongs to)."""

import datetime
import json
import re
import uuid

import pytest
from django.tasks import task
from django.test import Client, override_settings
from django.urls import path, reverse

from config import urls as project_urls
from core.personnummer import make_test_identity_number
from operations.tests.logs import json_log_lines
from organisations.models import Role, UnitKind
from reports.forms_school import GUARDIANS_ASK
from reports.models import ConcernCategory, ConcernReport, GuardiansInformed, ReportStatus
from reports.tasks import run_watchdog

CHILD = make_test_identity_number(datetime.date(2014, 5, 17), 987)
CHILD_NAME = "Astrid Lövgrensdotter"
GUARDIAN_NAME = "Gunnar Lövgrensdotter"
STAFF_EMAIL = "kerstin.bjorklund@leksand.example.se"
# Any personnummer or samordningsnummer shape: 10 or 12 digits, with or without a separator.
IDENTITY_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{2})?[0-9]{6}[-+ ]?[0-9]{4}(?![0-9])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def crash(request):
    # What a careless error message does: repeat what the user typed.
    raise ValueError(f"Could not file {request.POST['number']} for {request.POST['email']}")


urlpatterns = [*project_urls.urlpatterns, path("krasch/", crash)]


@task()
def failing_task(number: str) -> None:
    raise RuntimeError(f"No record for {number}")


def _file_a_report(client: Client, world) -> ConcernReport:
    school = world.unit(UnitKind.SCHOOL)
    response = client.post(reverse("reports:new"), {"school": school.pk})
    report = ConcernReport.objects.get()
    assert response["Location"] == reverse("reports:draft_edit", args=[report.public_id])
    data = {
        "version": report.version,
        "submission_key": str(uuid.uuid4()),
        "guardians_mode": GUARDIANS_ASK,
        "acute_shown": "0",
        "child_identity_number": CHILD.formatted(),
        "child_name": CHILD_NAME,
        "child_class": "5A",
        "guardians": f"{GUARDIAN_NAME}, 070-123 45 67",
        "categories": [ConcernCategory.NEGLECT],
        "what_happened": f"{CHILD_NAME} ({CHILD.digits}) sa att {GUARDIAN_NAME} slår.",
        "child_words": "Pappa blir arg.",
        "acute_danger": "no",
        "guardians_informed": GuardiansInformed.YES,
        "home": str(world.municipality().pk),
        "reporter_phone": "0247-800 00",
        "reporter_email": STAFF_EMAIL,
        "submit": "",
    }
    response = client.post(reverse("reports:draft_edit", args=[report.public_id]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.child_identity_number == CHILD.digits
    return report


def _drive_the_app(world, totp) -> None:
    teacher = world.user(Role.REPORTER)
    teacher.first_name, teacher.last_name = "Kerstin", "Björklundsson"
    teacher.email = STAFF_EMAIL
    teacher.save()
    totp(teacher)

    anonymous = Client(raise_request_exception=False)
    # A failed login with an e-mail address as the user name.
    anonymous.post(reverse("account_login"), {"login": STAFF_EMAIL, "password": "fel-lösenord"})
    # A 404 whose path and query string hold an identity number.
    anonymous.get(f"/sok/{CHILD.digits}/", {"q": CHILD.digits, "epost": STAFF_EMAIL})

    client = Client(raise_request_exception=False)
    client.force_login(teacher)
    report = _file_a_report(client, world)
    # A form with a mistyped number: refused, shown again, nothing logged about it.
    client.post(reverse("reports:new"), {"school": "x", "child_identity_number": "140517-9875"})
    client.get(reverse("reports:status", args=[report.public_id]))
    # A crash whose exception message repeats what was typed.
    response = client.post("/krasch/", {"number": CHILD.digits, "email": STAFF_EMAIL})
    assert response.status_code == 500
    # Tasks: the report watchdog (it reads the report), and one that fails with the number.
    run_watchdog.enqueue()
    failing_task.enqueue(CHILD.digits)


def _without_ids(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if key not in {"request_id", "task_id"}}


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_no_identity_number_name_or_email_reaches_the_log(world, totp):
    with json_log_lines() as lines:
        _drive_the_app(world, totp)

    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    routes = {entry.get("route") for entry in entries}
    assert {"account_login", "unmatched", "reports:new", "reports:draft_edit"} <= routes
    assert any(entry.get("status") == 404 for entry in entries)
    assert any("exception" in entry and entry["level"] == "ERROR" for entry in entries)
    tasks = {entry.get("task") for entry in entries}
    assert {f"{__name__}.failing_task", "reports.tasks.run_watchdog"} <= tasks
    for entry in entries:
        assert entry["request_id"] or entry.get("task"), entry
        assert {"time", "level", "logger", "message"} <= entry.keys()
    text = "\n".join(lines)
    # The ids are random hex and uuids, whose digit runs could look like a number by chance.
    scanned = "\n".join(json.dumps(_without_ids(entry), ensure_ascii=False) for entry in entries)
    assert not IDENTITY_NUMBER.findall(scanned)
    assert not EMAIL.findall(text)
    for name in (CHILD_NAME, GUARDIAN_NAME, "Lövgrensdotter", "Björklundsson", "Kerstin"):
        assert name not in text
    # The scrubbing is what kept them out: the marks are there.
    assert "[identity number]" in text
    assert "[e-mail]" in text
