"""Reports from other sources (issue 9): the intake registers a report received by phone,
letter or e-mail from the police, health care, another agency, the public (perhaps anonymous)
or the child or a guardian. Each rule by hand: who may, what is stored (nothing identifying for
an anonymous reporter), the arrival time (never in the future), one report per form, the same
steps and deadlines, the written confirmation of a phone report, and feedback only to a
professional reporter."""

import datetime
import re
import uuid
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from access.models import AccessLog, AuditEvent, AuditEventType
from access.policies import NotPermitted
from core.personnummer import make_test_identity_number
from organisations.models import Role
from reports import services_common, services_intake
from reports.deadlines import STOCKHOLM, end_of_day
from reports.models import (
    ConcernCategory,
    ConcernReport,
    Decision,
    ReceivedVia,
    ReportSource,
    ReportStatus,
)
from reports.services_common import TransitionError
from reports.services_registration import (
    ReportedConcern,
    Reporter,
    report_confirm_in_writing,
    report_register,
)
from reports.tests.builders import DELEGATION, advance
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

URL = reverse("reports:intake_register")
# A Tuesday afternoon in spring; the tests run as if it were now.
NOW = datetime.datetime(2026, 3, 3, 15, 0, tzinfo=STOCKHOLM)
CALL = datetime.datetime(2026, 3, 3, 13, 40, tzinfo=STOCKHOLM)
CHILD = make_test_identity_number(datetime.date(2015, 6, 1), 982)
POLICE = Reporter(
    source=ReportSource.POLICE,
    name="Anna Polis",
    organisation="Polisen, lokalpolisområde Mora",
    phone="010-123 45 67",
    wants_feedback=True,
)
CONCERN = ReportedConcern(
    what_happened="Polisen var hemma hos familjen i natt efter larm om bråk.",
    acute_danger=False,
    categories=(ConcernCategory.WITNESSING_VIOLENCE,),
    child_identity_number=CHILD.digits,
    child_name="Vide Testsson",
)
SWEDISH = {"Accept-Language": "sv"}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def page_url(kind: str, via: str) -> str:
    return f"{URL}?kind={kind}&via={via}"


def form_data(**values: Any) -> dict[str, Any]:
    data = {
        "arrived_on": "2026-03-03",
        "arrived_time": "13:40",
        "reporter_name": "Anna Polis",
        "reporter_organisation": "Polisen, lokalpolisområde Mora",
        "reporter_phone": "010-123 45 67",
        "reporter_email": "",
        "wants_feedback": "on",
        "child_identity_number": CHILD.formatted(),
        "child_name": "Vide Testsson",
        "child_approximate_age": "",
        "child_class": "",
        "guardians": "Mamma Mia Testsson",
        "interpreter_language": "",
        "acute_danger": "no",
        "categories": [ConcernCategory.WITNESSING_VIOLENCE],
        "what_happened": "Polisen var hemma hos familjen i natt efter larm om bråk.",
        "child_words": "",
        "guardians_informed": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(values)
    return {name: value for name, value in data.items() if value is not None}


def register(world: World, reporter: Reporter = POLICE, **values: Any) -> ConcernReport:
    arguments: dict[str, Any] = {
        "actor": world.user(Role.INTAKE),
        "municipality": world.municipality(),
        "reporter": reporter,
        "concern": CONCERN,
        "received_via": ReceivedVia.PHONE,
        "arrived_at": CALL,
        "submission_key": uuid.uuid4(),
    }
    arguments.update(values)
    return report_register(**arguments)


# --- who may ---------------------------------------------------------------------------------


def test_only_the_intake_registers_reports(client: Client, world: World) -> None:
    intakes = [world.user(Role.INTAKE), world.user(Role.INTAKE, "eksjo")]
    for url in (URL, page_url("police", "phone"), page_url("public_anonymous", "letter")):
        assert_matrix(
            client,
            url,
            [
                (None, LOGIN),
                *((intake, 200) for intake in intakes),
                *((user, 404) for user in everyone_else(world, intakes)),
            ],
        )
    assert_matrix(
        client,
        page_url("police", "phone"),
        [(None, LOGIN), *((user, 404) for user in everyone_else(world, intakes))],
        method="post",
        data=form_data(municipality=str(world.municipality().pk)),
    )
    assert not ConcernReport.objects.exists()


def test_the_service_refuses_anyone_but_that_municipality_s_intake(world: World) -> None:
    for outsider in (world.user(Role.INTAKE, "eksjo"), world.user(Role.REPORTER)):
        with pytest.raises(NotPermitted):
            register(world, actor=outsider)
    assert not ConcernReport.objects.exists()


# --- registering -------------------------------------------------------------------------------


def test_a_phone_call_from_the_police_is_registered_with_its_deadlines(
    client: Client, world: World
) -> None:
    intake = world.user(Role.INTAKE)
    client.force_login(intake)
    start = text_of(client.get(URL))
    assert "Who made the report?" in start
    assert 'method="get"' in start
    page = text_of(client.get(page_url("police", "phone")))
    assert "Time of the call" in page
    assert "can not be anonymous" in page
    response = client.post(page_url("police", "phone"), form_data())
    report = ConcernReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:intake_detail", args=[report.public_id])
    assert (report.source, report.received_via) == (ReportSource.POLICE, ReceivedVia.PHONE)
    assert report.school_unit is None
    assert report.municipality == world.municipality()
    assert (report.author, report.status, report.received_by) == (
        intake,
        ReportStatus.RECEIVED,
        intake,
    )
    assert report.submitted_at == CALL  # the clocks start with the call, not the typing
    assert report.protection_due_at == end_of_day(datetime.date(2026, 3, 3))
    assert report.decision_due_at == end_of_day(datetime.date(2026, 3, 17))
    assert report.next_due_at == report.protection_due_at
    assert (report.reporter_name, report.reporter_organisation) == (
        "Anna Polis",
        "Polisen, lokalpolisområde Mora",
    )
    assert report.wants_feedback
    assert report.child_identity_number == CHILD.digits
    assert list(report.categories.values_list("category", flat=True)) == [
        ConcernCategory.WITNESSING_VIOLENCE
    ]
    event = AuditEvent.objects.get(event_type=AuditEventType.REPORT_REGISTERED)
    assert event.new_values["source"] == ReportSource.POLICE
    assert event.actor == intake
    detail = text_of(client.get(response["Location"]))
    assert f"Its reference is {report.reference}" in detail
    assert "Polisen, lokalpolisområde Mora – Anna Polis" in detail
    assert "Phone call, registered by" in detail
    inbox = text_of(client.get(reverse("reports:inbox")))
    assert "The police" in inbox


def test_a_late_call_gets_its_protection_assessment_the_next_day(world: World) -> None:
    late = datetime.datetime(2026, 3, 2, 17, 5, tzinfo=STOCKHOLM)
    report = register(world, arrived_at=late)
    assert report.protection_due_at == end_of_day(datetime.date(2026, 3, 3))


def test_the_arrival_can_not_be_in_the_future_and_the_form_says_so_in_swedish(
    world: World,
) -> None:
    with pytest.raises(ValidationError) as raised:
        register(world, arrived_at=NOW + datetime.timedelta(minutes=5))
    assert "arrived_on" in raised.value.message_dict
    with pytest.raises(ValidationError):
        register(world, arrived_at=NOW - datetime.timedelta(days=400))  # a mistyped year
    client = Client(headers=SWEDISH)
    client.force_login(world.user(Role.INTAKE))
    response = client.post(page_url("police", "phone"), form_data(arrived_time="15:30"))
    assert response.status_code == 200
    text = text_of(response)
    assert "Tidpunkten då anmälan kom in kan inte ligga i framtiden." in text
    assert 'value="15:30"' in text  # what was typed is kept
    assert "Polisen var hemma hos familjen i natt" in text
    assert "no-store" in response["Cache-Control"]
    assert not ConcernReport.objects.exists()


def test_a_professional_reporter_is_named_with_agency_and_a_way_to_reach_them(
    world: World,
) -> None:
    with pytest.raises(ValidationError) as raised:
        register(world, reporter=Reporter(source=ReportSource.HEALTH_CARE))
    assert set(raised.value.message_dict) == {
        "reporter_name",
        "reporter_organisation",
        "reporter_phone",
    }
    with pytest.raises(ValidationError) as raised:
        register(world, reporter=Reporter(source=ReportSource.POLICE, anonymous=True))
    assert "source" in raised.value.message_dict  # a professional can not be anonymous
    with pytest.raises(ValidationError) as raised:
        register(world, reporter=Reporter(source=ReportSource.SCHOOL, name="X", phone="1"))
    assert "source" in raised.value.message_dict  # schools file their own reports


def test_the_child_and_the_concern_are_required_as_for_a_school_s_report(world: World) -> None:
    empty = ReportedConcern(what_happened=" ", acute_danger=None, categories=())
    with pytest.raises(ValidationError) as raised:
        register(world, concern=empty)
    assert set(raised.value.message_dict) == {
        "child_identity_number",
        "acute_danger",
        "categories",
        "what_happened",
    }


def test_a_double_submit_registers_one_report(client: Client, world: World) -> None:
    client.force_login(world.user(Role.INTAKE))
    data = form_data()
    first = client.post(page_url("police", "phone"), data)
    second = client.post(page_url("police", "phone"), data)
    assert first["Location"] == second["Location"]
    assert ConcernReport.objects.count() == 1
    key = uuid.uuid4()
    assert register(world, submission_key=key) == register(world, submission_key=key)


# --- the anonymous member of the public ------------------------------------------------------


def test_an_anonymous_reporter_is_not_asked_and_nothing_identifying_is_stored(
    client: Client, world: World
) -> None:
    client.force_login(world.user(Role.INTAKE))
    page = text_of(client.get(page_url("public_anonymous", "phone")))
    assert 'id="anonymous-notice"' in page
    for name in ("reporter_name", "reporter_organisation", "reporter_phone", "reporter_email"):
        assert f'name="{name}"' not in page
    assert 'name="wants_feedback"' not in page
    # Even if a tampered form sends them, they are not stored.
    response = client.post(
        page_url("public_anonymous", "phone"),
        form_data(reporter_email="granne@example.org", wants_feedback="on"),
    )
    assert response.status_code == 302
    report = ConcernReport.objects.get()
    assert (report.source, report.reporter_anonymous) == (ReportSource.PUBLIC, True)
    stored = (report.reporter_name, report.reporter_organisation, report.reporter_phone)
    assert stored == ("", "", "")
    assert report.reporter_email == ""
    assert not report.wants_feedback
    assert "granne@example.org" not in str(AuditEvent.objects.values_list("new_values"))
    detail = text_of(client.get(reverse("reports:intake_detail", args=[report.public_id])))
    assert "Member of the public – <strong>anonymous</strong>" in detail
    assert "The reporter&#x27;s contact details" not in detail


def test_the_service_and_the_database_refuse_identifying_data_for_an_anonymous_reporter(
    world: World,
) -> None:
    named = Reporter(source=ReportSource.PUBLIC, anonymous=True, phone="070-174 06 55")
    with pytest.raises(ValidationError):
        register(world, reporter=named)
    report = register(world, reporter=Reporter(source=ReportSource.PUBLIC, anonymous=True))
    report.reporter_phone = "070-174 06 55"
    with pytest.raises(IntegrityError), transaction.atomic():
        report.save()


# --- the same steps ---------------------------------------------------------------------------


def test_a_registered_report_takes_the_same_steps_and_is_found_by_the_search(
    client: Client, world: World
) -> None:
    intake = world.user(Role.INTAKE)
    report = advance(register(world), ReportStatus.DECIDED, intake=intake, now=CALL)
    # The police asked for feedback: due within a week of the decision.
    assert report.feedback_due_at == end_of_day(datetime.date(2026, 3, 10))
    assert "give_feedback" in services_common.allowed_steps(report)
    client.force_login(intake)
    search = reverse("reports:intake_search")
    for typed in (report.reference.lower(), CHILD.formatted()):
        assert str(report.public_id) in client.post(search, {"query": typed}).content.decode()
    assert AccessLog.objects.filter(object_id=str(report.pk)).exists()


def test_the_public_is_never_given_feedback(world: World) -> None:
    intake = world.user(Role.INTAKE)
    neighbour = Reporter(source=ReportSource.PUBLIC, name="Greta Granne", phone="070-174 06 60")
    report = advance(register(world, reporter=neighbour), ReportStatus.DECIDED, intake=intake)
    steps = services_common.allowed_steps(report)
    assert "give_feedback" not in steps
    assert "record_feedback_request" not in steps
    assert "close" in steps
    with pytest.raises(ValidationError):
        register(
            world, reporter=Reporter(source=ReportSource.PUBLIC, name="G", wants_feedback=True)
        )


# --- the written confirmation of a phone report ------------------------------------------------


def test_a_phone_report_is_confirmed_in_writing_later(client: Client, world: World) -> None:
    intake = world.user(Role.INTAKE)
    report = register(world)
    assert report.awaits_written_confirmation
    for wrong in (datetime.date(2026, 3, 2), datetime.date(2026, 3, 4)):  # before the call; future
        with pytest.raises(ValidationError):
            report_confirm_in_writing(report=report, actor=intake, confirmed_on=wrong)
    client.force_login(intake)
    detail = reverse("reports:intake_detail", args=[report.public_id])
    assert "Not yet" in text_of(client.get(detail))
    step = reverse("reports:intake_step", args=[report.public_id, "confirm_in_writing"])
    response = client.post(step, {"confirm_in_writing-confirmed_on": "2026-03-03"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.confirmed_in_writing_on == datetime.date(2026, 3, 3)
    assert report.confirmation_recorded_by == intake
    page = text_of(client.get(detail))
    assert 'id="history-confirmed_in_writing"' in page
    assert f'action="{step}"' not in page  # once only
    with pytest.raises(TransitionError):
        report_confirm_in_writing(
            report=report, actor=intake, confirmed_on=datetime.date(2026, 3, 3)
        )
    assert (
        AuditEvent.objects.filter(event_type=AuditEventType.REPORT_CONFIRMED_IN_WRITING).count()
        == 1
    )


def test_a_letter_needs_no_written_confirmation(world: World) -> None:
    letter = register(world, received_via=ReceivedVia.LETTER)
    assert "confirm_in_writing" not in services_common.allowed_steps(letter)
    with pytest.raises(TransitionError):
        report_confirm_in_writing(
            report=letter, actor=world.user(Role.INTAKE), confirmed_on=datetime.date(2026, 3, 3)
        )


def test_the_decision_page_of_a_registered_report(client: Client, world: World) -> None:
    intake = world.user(Role.INTAKE)
    report = advance(register(world), ReportStatus.PRELIMINARY_ASSESSMENT, intake=intake)
    report = services_intake.report_decide(
        report=report,
        actor=intake,
        decision=Decision.NOT_OPENED,
        reasons="Familjen har redan stöd.",
        delegation_point=DELEGATION,
    )
    client.force_login(intake)
    text = text_of(client.get(reverse("reports:intake_print", args=[report.public_id])))
    assert "What was reported" in text
    assert "Familjen har redan stöd." in text


def test_a_registered_report_is_the_intake_s_alone(client: Client, world: World) -> None:
    report = register(world)
    intake = world.user(Role.INTAKE)
    assert_matrix(
        client,
        reverse("reports:intake_detail", args=[report.public_id]),
        [(None, LOGIN), (intake, 200), *((user, 404) for user in everyone_else(world, [intake]))],
    )


def test_only_the_reports_intake_records_the_written_confirmation(
    client: Client, world: World
) -> None:
    report = register(world)
    intake = world.user(Role.INTAKE)
    assert_matrix(
        client,
        reverse("reports:intake_step", args=[report.public_id, "confirm_in_writing"]),
        [
            (None, LOGIN),
            *((user, 404) for user in everyone_else(world, [intake])),
            (intake, 302),
        ],
        method="post",
        data={"confirm_in_writing-confirmed_on": "2026-03-03"},
    )
    report.refresh_from_db()
    assert report.confirmation_recorded_by == intake  # the outsiders changed nothing
