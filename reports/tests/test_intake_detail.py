"""The intake's report page: who may open it, what it shows, every step through the view and
every forbidden one, the print view and the access log."""

import datetime
import re
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from access.models import AccessAction, AccessLog, AuditEvent, AuditEventType
from core.personnummer import make_test_identity_number
from organisations.models import Role, UnitKind, User
from reports import services_common, services_intake, services_school
from reports.deadlines import STOCKHOLM
from reports.models import (
    ConcernCategory,
    ConcernReport,
    Decision,
    ExtensionReason,
    Feedback,
    ReportStatus,
)
from reports.tests.builders import ARRIVAL, DELEGATION, advance, draft, submitted
from tests.matrix import LOGIN, assert_matrix
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

# Checksum-valid test numbers (birth numbers 980-999).
CHILD = make_test_identity_number(datetime.date(2012, 3, 15), 980).digits
SISTER = make_test_identity_number(datetime.date(2010, 5, 5), 981).digits
BROTHER = make_test_identity_number(datetime.date(2014, 5, 5), 982).digits


def local_date(moment: datetime.datetime | None) -> datetime.date:
    assert moment is not None
    return moment.astimezone(STOCKHOLM).date()


def detail_url(report: ConcernReport) -> str:
    return reverse("reports:intake_detail", args=[report.public_id])


def print_url(report: ConcernReport) -> str:
    return reverse("reports:intake_print", args=[report.public_id])


def step_url(report: ConcernReport, step: str) -> str:
    return reverse("reports:intake_step", args=[report.public_id, step])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def outsiders(world: World) -> list:
    """Everyone but the Leksand intake: the report's author too (the school side never sees
    the intake's pages)."""
    return [
        world.user(Role.INTAKE, "eksjo"),
        world.user(Role.REPORTER),
        world.user(Role.STUDENT_HEALTH),
        world.user(Role.MEDICAL_STUDENT_HEALTH),
        world.user(Role.PRINCIPAL),
        world.user(Role.COORDINATOR),
        world.user(Role.MANAGER),
        world.user(Role.BOARD_MEMBER),
        world.user(Role.AUDITOR),
        world.user(Role.SIP_PARTICIPANT),
        world.user(Role.MUNICIPAL_ADMIN),
        world.user(Role.MUNICIPAL_ADMIN, "eksjo"),
        world.user(Role.PRINCIPAL, "eksjo"),
    ]


# --- who may open the pages ------------------------------------------------------------------


def test_only_the_intake_of_the_municipality_opens_the_report_and_its_print(
    client: Client, world: World
) -> None:
    report = submitted(world)
    expectations: list[tuple[User | None, int | str]] = [
        (None, LOGIN),
        (world.user(Role.INTAKE), 200),
        *((user, 404) for user in outsiders(world)),
    ]
    assert_matrix(client, detail_url(report), expectations)
    assert_matrix(client, print_url(report), expectations)


def test_only_the_intake_takes_steps(client: Client, world: World) -> None:
    report = submitted(world)
    assert_matrix(
        client,
        step_url(report, "receive"),
        [(None, LOGIN), *((user, 404) for user in outsiders(world))],
        method="post",
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert_matrix(
        client, step_url(report, "receive"), [(world.user(Role.INTAKE), 302)], method="post"
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED


def test_a_draft_and_a_missing_report_are_the_same_404(client: Client, world: World) -> None:
    unsent = draft(world)
    client.force_login(world.user(Role.INTAKE))
    assert client.get(detail_url(unsent)).status_code == 404
    assert client.post(step_url(unsent, "receive")).status_code == 404
    missing = reverse("reports:intake_detail", args=["2f1c8a52-6d1e-4c1b-9a57-0c1d2e3f4a5b"])
    assert client.get(missing).status_code == 404


def test_an_unknown_step_is_a_404(client: Client, world: World) -> None:
    report = submitted(world)
    client.force_login(world.user(Role.INTAKE))
    assert client.post(step_url(report, "reopen")).status_code == 404
    assert client.get(step_url(report, "receive")).status_code == 405


def test_a_report_routed_to_eksjo_is_seen_by_eksjo_only(client: Client, world: World) -> None:
    report = submitted(world, home_municipality=world.municipality("eksjo"))
    assert report.municipality == world.municipality("eksjo")
    assert_matrix(
        client,
        detail_url(report),
        [(world.user(Role.INTAKE, "eksjo"), 200), (world.user(Role.INTAKE), 404)],
    )


# --- what the page shows --------------------------------------------------------------------


def test_the_page_shows_everything_the_school_wrote(client: Client, world: World) -> None:
    teacher = world.user(Role.REPORTER)
    report = draft(
        world,
        child_identity_number=CHILD,
        categories=[ConcernCategory.NEGLECT, ConcernCategory.SCHOOL_ABSENCE],
        child_words="Mamma sover hela dagarna.",
        interpreter_language="arabiska",
        guardians="Mamma Maja, 070-123 45 67",
        acute_danger=True,
    )
    attachment = services_school.attachment_add(
        report=report,
        actor=teacher,
        upload=SimpleUploadedFile("franvaro.pdf", b"%PDF-1.4 test", "application/pdf"),
    )
    report = services_school.report_submit(
        report=report, actor=teacher, submission_key=uuid.uuid4(), now=ARRIVAL
    )
    services_school.report_supplement_add(
        report=report, actor=teacher, text="Eleven var borta i dag."
    )
    client.force_login(world.user(Role.INTAKE))
    response = client.get(detail_url(report))
    assert response.status_code == 200
    text = text_of(response)
    assert "20120315-9809" in text  # the whole identity number, for the intake
    for expected in (
        "Testa Testsson",
        "Neglect",
        "School absence",
        "Mamma sover hela dagarna.",
        "Eleven berättade om bråk hemma.",
        "Yes, in arabiska",
        "Mamma Maja, 070-123 45 67",
        "franvaro.pdf",
        "Eleven var borta i dag.",
        "Urgent",
        "Protection assessment",
        "20 kap. 1 § socialtjänstlagen (2025:400) (tidigare 11 kap. 1 a § SoL)",
        "20 kap. 2 § socialtjänstlagen (2025:400)",
    ):
        assert expected in text, expected
    assert "forward-notice" not in text
    # The file is a link to the download, which checks the policy and logs again.
    download = reverse("reports:attachment", args=[report.public_id, attachment.pk])
    assert f'href="{download}"' in text
    assert client.get(download).status_code == 200


def test_a_report_to_be_forwarded_says_so(client: Client, world: World) -> None:
    report = submitted(world, home_municipality=None, forward_to_name="Rättvik")
    assert report.municipality == world.municipality()
    client.force_login(world.user(Role.INTAKE))
    text = text_of(client.get(detail_url(report)))
    assert 'id="forward-notice"' in text
    assert (
        "The child lives in Rättvik, which is not in Samverkan: send the report there by other "
        "means, then record the decision “Forwarded”."
    ) in text


def test_siblings_are_links_only_when_the_intake_may_handle_them(
    client: Client, world: World
) -> None:
    report = submitted(world)
    here = submitted(world, child_name="Syster Testsson", child_identity_number=SISTER)
    elsewhere = submitted(
        world,
        child_name="Bror Testsson",
        child_identity_number=BROTHER,
        home_municipality=world.municipality("eksjo"),
    )
    teacher = world.user(Role.REPORTER)
    services_school.sibling_link(report=report, sibling=here, actor=teacher)
    services_school.sibling_link(report=report, sibling=elsewhere, actor=teacher)
    client.force_login(world.user(Role.INTAKE))
    text = text_of(client.get(detail_url(report)))
    assert f'href="{detail_url(here)}"' in text
    assert "Syster Testsson" in text
    assert f'href="{detail_url(elsewhere)}"' not in text
    assert "Bror Testsson" not in text
    assert f"Report {elsewhere.reference}, handled by another intake" in text


def test_an_overdue_step_is_red_and_says_overdue(client: Client, world: World) -> None:
    arrival = timezone.now()
    report = submitted(world, now=arrival)
    # Two days on, the protection assessment (due the day of arrival or the next) is late;
    # the decision (14 days) is not.
    with time_machine.travel(arrival + datetime.timedelta(days=2), tick=False):
        client.force_login(world.user(Role.INTAKE))
        text = text_of(client.get(detail_url(report)))
    protection = re.search(r'<tr id="deadline-protection">.*?</tr>', text)
    decision = re.search(r'<tr id="deadline-decision">.*?</tr>', text)
    assert protection is not None
    assert decision is not None
    assert "Overdue" in protection[0]
    assert "badge--danger" in protection[0]
    assert "Overdue" not in decision[0]
    assert "20 kap. 2 § socialtjänstlagen (2025:400)" in decision[0]


def test_a_step_done_late_is_marked_and_no_longer_overdue(client: Client, world: World) -> None:
    arrival = timezone.now() - datetime.timedelta(days=5)
    report = advance(
        submitted(world, now=arrival),
        ReportStatus.PROTECTION_ASSESSED,
        intake=world.user(Role.INTAKE),
        now=arrival + datetime.timedelta(days=3),
    )
    client.force_login(world.user(Role.INTAKE))
    text = text_of(client.get(detail_url(report)))
    protection = re.search(r'<tr id="deadline-protection">.*?</tr>', text)
    assert protection is not None
    assert "Done after the deadline" in protection[0]
    assert "Overdue" not in protection[0]


def test_the_decision_deadline_reads_with_its_legal_reference(client: Client, world: World) -> None:
    report = submitted(world)  # arrived Monday 2 March 2026: the decision by 16 March
    client.force_login(world.user(Role.INTAKE))
    decision = re.search(
        r'<tr id="deadline-decision">.*?</tr>', text_of(client.get(detail_url(report)))
    )
    assert decision is not None
    assert "March 16, 2026" in decision[0]
    assert "20 kap. 2 § socialtjänstlagen (2025:400)" in decision[0]
    assert "Overdue" in decision[0]  # long past by now


# --- the steps through the view ---------------------------------------------------------------


def post_step(client: Client, report: ConcernReport, step: str, **fields: object):
    data = {f"{step}-{name}": value for name, value in fields.items()}
    return client.post(step_url(report, step), data)


def test_every_step_from_receiving_to_closing(client: Client, world: World) -> None:
    intake = world.user(Role.INTAKE)
    report = submitted(world)
    client.force_login(intake)
    steps: list[tuple[str, dict[str, str], str]] = [
        ("receive", {}, ReportStatus.RECEIVED),
        (
            "assess_protection",
            {"immediate_protection_needed": "no", "justification": "Ingen akut fara."},
            ReportStatus.PROTECTION_ASSESSED,
        ),
        ("start_preliminary", {"notes": "Ringer mamma."}, ReportStatus.PRELIMINARY_ASSESSMENT),
        (
            "extend",
            {
                "until": "2026-03-30",
                "reason": ExtensionReason.AWAITING_INFORMATION,
                "description": "",
                "decided_by": "Eva Berg, enhetschef",
            },
            ReportStatus.PRELIMINARY_ASSESSMENT,
        ),
        (
            "decide",
            {
                "decision": Decision.OPENED,
                "decision_maker": str(intake.pk),
                "delegation_point": DELEGATION,
                "case_number": "IFO 2026/123",
                "forwarded_to": "",
            },
            ReportStatus.DECIDED,
        ),
        ("give_feedback", {"feedback": Feedback.OPENED}, ReportStatus.FEEDBACK_GIVEN),
        ("close", {"confirm": "on"}, ReportStatus.CLOSED),
    ]
    for step, fields, status in steps:
        page = text_of(client.get(detail_url(report)))
        assert f'action="{step_url(report, step)}"' in page, step  # the form is offered
        response = post_step(client, report, step, **fields)
        assert response.status_code == 302, (step, response.content.decode()[:2000])
        assert response["Location"] == detail_url(report)
        report.refresh_from_db()
        assert report.status == status, step
    assert report.received_by == intake
    assert report.immediate_protection_needed is False
    assert report.protection_justification == "Ingen akut fara."
    assert report.preliminary_notes == "Ringer mamma."
    assert report.extended_until == datetime.date(2026, 3, 30)
    assert report.extension_decided_by == "Eva Berg, enhetschef"
    assert report.decided_by == intake
    assert report.feedback == Feedback.OPENED
    assert report.closed_by == intake
    events = set(
        AuditEvent.objects.filter(object_id=str(report.pk)).values_list("event_type", flat=True)
    )
    assert {
        AuditEventType.REPORT_RECEIVED,
        AuditEventType.REPORT_PROTECTION_ASSESSED,
        AuditEventType.REPORT_PRELIMINARY_STARTED,
        AuditEventType.REPORT_DECISION_EXTENDED,
        AuditEventType.REPORT_DECIDED,
        AuditEventType.REPORT_FEEDBACK_GIVEN,
        AuditEventType.REPORT_CLOSED,
    } <= events
    text = text_of(client.get(detail_url(report)))
    assert "The report is closed. There are no more steps." in text
    for history in ("received", "protection", "preliminary", "extension", "decision"):
        assert f'id="history-{history}"' in text
    assert "decided by Eva Berg, enhetschef" in text


def test_the_step_forms_shown_are_the_allowed_ones(client: Client, world: World) -> None:
    intake = world.user(Role.INTAKE)
    report = advance(submitted(world), ReportStatus.RECEIVED, intake=intake)
    client.force_login(intake)
    text = text_of(client.get(detail_url(report)))
    offered = set(re.findall(r'id="step-([a-z_]+)"', text))
    assert offered == {"assess_protection", "extend"}


def test_a_double_post_applies_once_and_the_second_gets_a_message(
    client: Client, world: World
) -> None:
    report = submitted(world)
    client.force_login(world.user(Role.INTAKE))
    first = post_step(client, report, "receive")
    second = client.post(step_url(report, "receive"), follow=True)
    assert first.status_code == 302
    assert second.status_code == 200
    assert "That step has already been taken or is not possible now." in messages_of(second)
    assert (
        AuditEvent.objects.filter(
            object_id=str(report.pk), event_type=AuditEventType.REPORT_RECEIVED
        ).count()
        == 1
    )


def test_a_step_the_service_refuses_under_its_lock_gets_the_message(
    client: Client, world: World, monkeypatch
) -> None:
    """A colleague took the step between the page's check and the service's lock."""
    report = submitted(world)
    intake = world.user(Role.INTAKE)

    def taken_meanwhile(**kwargs):
        raise services_common.TransitionError("already received")

    monkeypatch.setattr(services_intake, "report_receive", taken_meanwhile)
    client.force_login(intake)
    response = client.post(step_url(report, "receive"), follow=True)
    assert response.status_code == 200
    assert "That step has already been taken or is not possible now." in messages_of(response)


@pytest.mark.parametrize(
    ("status", "step", "fields"),
    [
        # The decision comes after the protection assessment.
        (ReportStatus.RECEIVED, "decide", {"decision": Decision.OPENED}),
        (ReportStatus.SUBMITTED, "assess_protection", {"immediate_protection_needed": "no"}),
        (ReportStatus.RECEIVED, "start_preliminary", {}),
        (ReportStatus.PROTECTION_ASSESSED, "give_feedback", {"feedback": Feedback.OPENED}),
        # The reporter asked for feedback: it is given before the report is closed.
        (ReportStatus.DECIDED, "close", {"confirm": "on"}),
        (ReportStatus.DECIDED, "extend", {"reason": ExtensionReason.AWAITING_INFORMATION}),
        (ReportStatus.CLOSED, "receive", {}),
        (ReportStatus.CLOSED, "decide", {"decision": Decision.NOT_OPENED}),
    ],
)
def test_forbidden_steps_change_nothing(
    client: Client, world: World, status: str, step: str, fields: dict
) -> None:
    report = submitted(world)
    if status != ReportStatus.SUBMITTED:
        report = advance(report, status, intake=world.user(Role.INTAKE))
    before = AuditEvent.objects.count()
    client.force_login(world.user(Role.INTAKE))
    response = client.post(step_url(report, step), fields, follow=True)
    assert response.status_code == 200
    assert "That step has already been taken or is not possible now." in messages_of(response)
    report.refresh_from_db()
    assert report.status == status
    assert AuditEvent.objects.count() == before


def test_no_feedback_after_forwarding(client: Client, world: World) -> None:
    report = advance(
        submitted(world),
        ReportStatus.DECIDED,
        intake=world.user(Role.INTAKE),
        decision=Decision.FORWARDED,
    )
    client.force_login(world.user(Role.INTAKE))
    text = text_of(client.get(detail_url(report)))
    assert 'id="step-give_feedback"' not in text
    assert 'id="step-close"' in text  # the municipality that decides gives the feedback
    response = post_step(client, report, "give_feedback", feedback=Feedback.OPENED)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DECIDED
    assert report.feedback == ""


def test_closing_without_feedback_when_the_reporter_did_not_ask(
    client: Client, world: World
) -> None:
    report = advance(
        submitted(world, wants_feedback=False), ReportStatus.DECIDED, intake=world.user(Role.INTAKE)
    )
    client.force_login(world.user(Role.INTAKE))
    text = text_of(client.get(detail_url(report)))
    assert "The reporter did not ask for feedback." in text
    assert post_step(client, report, "close", confirm="on").status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED


def test_the_feedback_offered_is_the_one_that_matches_the_decision(
    client: Client, world: World
) -> None:
    report = advance(
        submitted(world),
        ReportStatus.DECIDED,
        intake=world.user(Role.INTAKE),
        decision=Decision.ADDED_TO_ONGOING,
    )
    client.force_login(world.user(Role.INTAKE))
    text = text_of(client.get(detail_url(report)))
    assert "The reporter will be told: <strong>An investigation was already ongoing</strong>" in (
        text
    )
    assert 'name="give_feedback-feedback" value="already_ongoing"' in text
    feedback_form = re.search(r'id="step-give_feedback".*?</form>', text)
    assert feedback_form is not None
    assert "<textarea" not in feedback_form[0]  # no free text at all
    # A tampered answer is refused with a message, and nothing is given.
    response = post_step(client, report, "give_feedback", feedback=Feedback.OPENED)
    assert response.status_code == 200
    assert "The feedback must match the decision that was made." in text_of(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.DECIDED
    assert report.feedback == ""
    response = post_step(client, report, "give_feedback", feedback="anything else")
    assert "The feedback must be one of the three fixed answers." in text_of(response)


def test_the_protection_assessment_needs_an_answer_and_a_justification(
    client: Client, world: World
) -> None:
    report = advance(submitted(world), ReportStatus.RECEIVED, intake=world.user(Role.INTAKE))
    client.force_login(world.user(Role.INTAKE))
    response = post_step(client, report, "assess_protection", immediate_protection_needed="yes")
    assert response.status_code == 200
    text = text_of(response)
    assert "Give a short justification of the protection assessment." in text
    assert re.search(r'value="yes"[^>]*checked', text)  # the answer given is kept
    response = post_step(client, report, "assess_protection", justification="Pappa hotar.")
    text = text_of(response)
    assert "Say whether the child needs immediate protection." in text
    assert "Pappa hotar." in text  # what was typed is kept
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED
    # The answer "yes" is stored as such.
    post_step(
        client,
        report,
        "assess_protection",
        immediate_protection_needed="yes",
        justification="Pappa hotar.",
    )
    report.refresh_from_db()
    assert report.immediate_protection_needed is True


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"until": "2026-03-30", "decided_by": "Eva Berg"},
            "Choose the exceptional reason.",
        ),
        (
            {"until": "2026-03-10", "reason": "child_unavailable", "decided_by": "Eva Berg"},
            "The new date must be later than the current deadline.",
        ),
        (
            {"until": "2026-03-16", "reason": "child_unavailable", "decided_by": "Eva Berg"},
            "The new date must be later than the current deadline.",
        ),
        (
            {"reason": "child_unavailable", "decided_by": "Eva Berg"},
            "Enter the new date for the decision.",
        ),
        (
            {"until": "30/3", "reason": "child_unavailable", "decided_by": "Eva Berg"},
            "Enter the date as YYYY-MM-DD, e.g. 2026-04-15.",
        ),
        (
            {"until": "2026-03-30", "reason": "other_exceptional", "decided_by": "Eva Berg"},
            "Describe the exceptional reason.",
        ),
        (
            {"until": "2026-03-30", "reason": "workload", "decided_by": "Eva Berg"},
            "Choose one of the listed reasons.",
        ),
        (
            {"until": "2026-03-30", "reason": "child_unavailable"},
            "Say who decided on the extension.",
        ),
    ],
)
def test_an_extension_needs_a_reason_a_later_date_and_who_decided(
    client: Client, world: World, fields: dict, message: str
) -> None:
    report = advance(submitted(world), ReportStatus.RECEIVED, intake=world.user(Role.INTAKE))
    client.force_login(world.user(Role.INTAKE))
    response = post_step(client, report, "extend", **fields)
    assert response.status_code == 200
    text = text_of(response)
    assert message in text
    if "decided_by" in fields:
        assert 'value="Eva Berg"' in text  # what was typed is kept
    report.refresh_from_db()
    assert report.extended_until is None
    assert local_date(report.decision_due_at) == datetime.date(2026, 3, 16)


def test_an_extension_moves_the_decision_deadline(client: Client, world: World) -> None:
    report = advance(submitted(world), ReportStatus.RECEIVED, intake=world.user(Role.INTAKE))
    client.force_login(world.user(Role.INTAKE))
    response = post_step(
        client,
        report,
        "extend",
        until="2026-04-01",
        reason=ExtensionReason.OTHER_EXCEPTIONAL,
        description="Barnet är utomlands med familjen.",
        decided_by="Eva Berg",
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert local_date(report.decision_due_at) == datetime.date(2026, 4, 1)
    text = text_of(client.get(detail_url(report)))
    assert "April 1, 2026" in text
    assert "(extended)" in text
    assert "Barnet är utomlands med familjen." in text


def _extend_at(
    report: ConcernReport,
    world: World,
    moment: datetime.datetime,
    until: datetime.date = datetime.date(2026, 4, 14),
) -> ConcernReport:
    with time_machine.travel(moment, tick=False):
        return services_intake.report_extend_decision(
            report=report,
            actor=world.user(Role.INTAKE),
            until=until,
            reason=ExtensionReason.AWAITING_INFORMATION,
            description="",
            decided_by="Eva Berg",
        )


# "2 mars 2026, 10:00", "14 aug. 2026, 08:05": the months as Swedish abbreviates them.
SWEDISH_DATETIME = re.compile(
    r"\b\d{1,2} (jan\.|feb\.|mars|apr\.|maj|juni|juli|aug\.|sep\.|okt\.|nov\.|dec\.)"
    r" \d{4}, \d{2}:\d{2}\b"
)


def in_swedish(moment: datetime.datetime | datetime.date, format_name: str) -> str:
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment)
    with translation.override("sv"):
        # As text_of reads the page: its whitespace, the dates' non-breaking spaces included,
        # folded to single spaces.
        return date_format(moment, format_name).replace("\xa0", " ")


def _waiting_for_decision(world: World, *, arrived_days_ago: int) -> ConcernReport:
    arrival = timezone.now() - datetime.timedelta(days=arrived_days_ago)
    return advance(
        submitted(world, now=arrival),
        ReportStatus.PROTECTION_ASSESSED,
        intake=world.user(Role.INTAKE),
    )


def test_a_late_extension_shows_the_decision_as_late_with_the_missed_deadline(
    world: World,
) -> None:
    report = _waiting_for_decision(world, arrived_days_ago=20)  # the deadline passed
    missed = report.decision_due_at
    assert missed is not None
    assert missed < timezone.now()
    recorded = timezone.now().replace(second=0, microsecond=0)
    until = timezone.localdate() + datetime.timedelta(days=30)
    report = _extend_at(report, world, recorded, until=until)
    swedish = Client(headers={"Accept-Language": "sv"})
    swedish.force_login(world.user(Role.INTAKE))
    text = text_of(swedish.get(detail_url(report)))
    decision = re.search(r'<tr id="deadline-decision">.*?</tr>', text)
    assert decision is not None
    # Before the extended date, and still late: the deadline that was missed is shown with
    # the time the extension was recorded.
    assert "Försenad" in decision[0]
    assert in_swedish(until, "DATE_FORMAT") in decision[0]
    assert in_swedish(missed, "DATE_FORMAT") in decision[0]
    assert in_swedish(recorded, "DATETIME_FORMAT") in decision[0]
    assert "hade redan passerat när förlängningen registrerades" in decision[0]
    extension = re.search(r'<li class="panel" id="history-extension">.*?</li>', text)
    assert extension is not None
    assert in_swedish(recorded, "DATETIME_FORMAT") in extension[0]
    assert in_swedish(missed, "DATE_FORMAT") in extension[0]


def test_every_history_row_has_its_date_and_time_in_swedish(world: World) -> None:
    intake = world.user(Role.INTAKE)
    report = advance(submitted(world), ReportStatus.PRELIMINARY_ASSESSMENT, intake=intake)
    report = _extend_at(report, world, datetime.datetime(2026, 3, 9, 8, 15, tzinfo=STOCKHOLM))
    report = advance(
        report,
        ReportStatus.CLOSED,
        intake=intake,
        now=datetime.datetime(2026, 3, 12, 9, 0, tzinfo=STOCKHOLM),
    )
    swedish = Client(headers={"Accept-Language": "sv"})
    swedish.force_login(intake)
    text = text_of(swedish.get(detail_url(report)))
    rows = re.findall(r'<li class="panel" id="history-(\w+)">(.*?)</li>', text)
    keys = [key for key, _ in rows]
    assert keys == [
        "submitted",
        "received",
        "protection",
        "preliminary",
        "extension",
        "decision",
        "feedback",
        "closed",
    ]
    for key, row in rows:
        assert SWEDISH_DATETIME.search(row), key
    extension = dict(rows)["extension"]
    assert "9 mars 2026, 08:15" in extension
    # Recorded in time: nothing was missed.
    assert "passerat" not in text


def test_an_extension_in_time_is_not_marked_late(client: Client, world: World) -> None:
    report = _waiting_for_decision(world, arrived_days_ago=5)
    until = timezone.localdate() + datetime.timedelta(days=30)
    report = _extend_at(report, world, timezone.now(), until=until)
    client.force_login(world.user(Role.INTAKE))
    text = text_of(client.get(detail_url(report)))
    decision = re.search(r'<tr id="deadline-decision">.*?</tr>', text)
    assert decision is not None
    assert "(extended)" in decision[0]
    assert "Overdue" not in decision[0]
    assert "had already passed" not in decision[0]
    assert "To do" in decision[0]


def test_a_forwarded_decision_names_the_municipality(client: Client, world: World) -> None:
    report = advance(
        submitted(world, home_municipality=None, forward_to_name="Rättvik"),
        ReportStatus.PROTECTION_ASSESSED,
        intake=world.user(Role.INTAKE),
    )
    client.force_login(world.user(Role.INTAKE))
    text = text_of(client.get(detail_url(report)))
    assert 'name="decide-forwarded_to" value="Rättvik"' in text  # filled in from the report
    record = {"decision_maker": str(world.user(Role.INTAKE).pk), "delegation_point": DELEGATION}
    response = post_step(
        client, report, "decide", decision=Decision.FORWARDED, forwarded_to=" ", **record
    )
    assert "Say which municipality the report was forwarded to." in text_of(response)
    response = post_step(client, report, "decide", decision="", forwarded_to="", **record)
    assert "Choose a decision." in text_of(response)
    response = post_step(
        client, report, "decide", decision=Decision.FORWARDED, forwarded_to="Rättvik", **record
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.decision == Decision.FORWARDED
    assert report.forwarded_to == "Rättvik"
    assert 'id="forward-notice"' not in text_of(client.get(detail_url(report)))


def test_closing_needs_the_confirmation(client: Client, world: World) -> None:
    report = advance(submitted(world), ReportStatus.FEEDBACK_GIVEN, intake=world.user(Role.INTAKE))
    client.force_login(world.user(Role.INTAKE))
    response = post_step(client, report, "close")
    assert response.status_code == 200
    assert "Tick the box to confirm that the report is to be closed." in text_of(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.FEEDBACK_GIVEN


# --- the access log -------------------------------------------------------------------------


def test_the_page_and_the_print_view_write_the_access_log(client: Client, world: World) -> None:
    report = submitted(world, child_identity_number=CHILD)
    intake = world.user(Role.INTAKE)
    client.force_login(intake)
    assert client.get(detail_url(report)).status_code == 200
    response = client.get(print_url(report))
    assert response.status_code == 200
    rows = list(AccessLog.objects.filter(object_id=str(report.pk)).order_by("id"))
    assert [row.action for row in rows] == [AccessAction.VIEW, AccessAction.PRINT]
    for row in rows:
        assert row.user == intake
        assert row.rule == "intake_of_municipality"
        assert row.role == Role.INTAKE
        assert row.child_ref == report.child_ref
        assert row.municipality == world.municipality()
        assert row.object_type == "reports.concernreport"
    text = text_of(response)
    assert "reports/intake_print.css" in text
    assert 'class="main-nav"' not in text  # the print view is a page of its own
    assert "20120315-9809" in text


def test_a_step_logs_a_read_only_when_the_page_is_shown_again(client: Client, world: World) -> None:
    report = advance(submitted(world), ReportStatus.RECEIVED, intake=world.user(Role.INTAKE))
    client.force_login(world.user(Role.INTAKE))
    post_step(client, report, "assess_protection", immediate_protection_needed="no")
    assert AccessLog.objects.filter(object_id=str(report.pk)).count() == 1  # the form again
    post_step(
        client, report, "assess_protection", immediate_protection_needed="no", justification="Ok."
    )
    assert AccessLog.objects.filter(object_id=str(report.pk)).count() == 1  # a redirect


def test_nobody_else_leaves_a_trace_in_the_access_log(client: Client, world: World) -> None:
    report = submitted(world)
    for user in outsiders(world):
        client.force_login(user)
        client.get(detail_url(report))
        client.get(print_url(report))
    assert not AccessLog.objects.filter(object_id=str(report.pk)).exists()


def test_the_report_page_costs_a_fixed_number_of_queries(
    client: Client, world: World, django_assert_num_queries
) -> None:
    report = submitted(world)
    services_school.report_supplement_add(report=report, actor=report.author, text="Mer.")
    client.force_login(world.user(Role.INTAKE))
    client.get(detail_url(report))  # the first request of a session checks two-factor
    # 12: the user, the report through the policy with its places and rules, its people (a
    # second query: one join of fourteen tables took ~37 ms to plan, two queries ~1 ms), its
    # categories, files, supplements and siblings, the other reports about the child, the
    # case owner's history, the people to choose from (case owners and decision makers in one
    # query), the consents to feedback in own words, and the access-log row; the session,
    # the memberships and the unread count are in the cache.
    with django_assert_num_queries(12):
        assert client.get(detail_url(report)).status_code == 200
    # Earlier reports about the child and a history of owners cost no more.
    for _ in range(3):
        submitted(world)
    intake = world.user(Role.INTAKE)
    services_intake.report_assign(
        report=report, actor=intake, assignee=intake, expected_owner_id=None
    )
    services_intake.report_assign(
        report=report, actor=intake, assignee=None, expected_owner_id=intake.pk
    )
    with django_assert_num_queries(12):
        assert client.get(detail_url(report)).status_code == 200
    # The decision's step, with its decision makers, costs no more.
    report = advance(report, ReportStatus.PROTECTION_ASSESSED, intake=intake)
    assert "decide" in services_common.allowed_steps(report)
    with django_assert_num_queries(12):
        assert 'name="decide-decision_maker"' in text_of(client.get(detail_url(report)))
    # Linked siblings cost one query more (which of them the user may read), whatever their
    # number.
    for child in ("201203159801", "201112249807"):
        sibling = submitted(world, child_identity_number=child)
        services_school.sibling_link(report=report, sibling=sibling, actor=report.author)
        with django_assert_num_queries(13):
            assert client.get(detail_url(report)).status_code == 200


def test_a_closed_report_can_still_be_read(client: Client, world: World) -> None:
    report = advance(submitted(world), ReportStatus.CLOSED, intake=world.user(Role.INTAKE))
    client.force_login(world.user(Role.INTAKE))
    response = client.get(detail_url(report))
    assert response.status_code == 200
    assert ConcernReport.objects.get(pk=report.pk).status == ReportStatus.CLOSED
    assert world.unit(UnitKind.SCHOOL).name in text_of(response)
