"""A board report for a school term or a run of months, not only a calendar year: the
numbers of the hand-counted March 2026 (``scenario``: 8 reports; 5 of 7 decided within the
deadline) land in the term or months that hold March and not in the others, the comparison
is with the previous period of the same length, and the form, the labels, the page and the
PDF name the period as Swedish writes it. And making the PDF again when it failed."""

import datetime
import re
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from access.models import AuditEvent, AuditEventType
from conftest import give_totp
from followup import board_services
from followup.board_forms import DraftForm
from followup.models import BoardReport, BoardReportComment, BoardReportState, GenerationState
from followup.periods import Period, PeriodKind, term_period, year_period
from followup.tests import board_builders
from followup.tests.board_builders import keep_language  # noqa: F401 - a fixture
from followup.tests.scenario import NOW
from followup.tests.test_board_report import pdf_text
from organisations.models import Role
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World, build_world

pytestmark = pytest.mark.usefixtures("keep_language")

SPRING_2026 = term_period("spring", 2026)
APRIL_MAY_2026 = Period(PeriodKind.CUSTOM, datetime.date(2026, 4, 1), datetime.date(2026, 6, 1))


@pytest.fixture
def board(db):  # noqa: ARG001 - asks pytest for the database
    with time_machine.travel(NOW, tick=False):
        world = build_world()
        board_builders.scenario(world)
        yield world


def _draft(world: World, capture, period: Period) -> BoardReport:
    with capture(execute=True):
        report = board_services.board_report_create_draft(
            actor=world.user(Role.COORDINATOR),
            municipality=world.municipality(),
            period=period,
        )
    report.refresh_from_db()
    return report


def _percent(value: dict) -> Decimal | None:
    return None if value["value"] is None else Decimal(value["value"]).quantize(Decimal(1))


# --- labels -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "label", "in_sentence"),
    [
        (year_period(2026), "2026", "2026"),
        (SPRING_2026, "Vårterminen 2026", "vårterminen 2026"),
        (term_period("autumn", 2025), "Höstterminen 2025", "höstterminen 2025"),
        (APRIL_MAY_2026, "april–maj 2026", "april–maj 2026"),
        (
            Period(PeriodKind.CUSTOM, datetime.date(2025, 11, 1), datetime.date(2026, 3, 1)),
            "november 2025 – februari 2026",
            "november 2025 – februari 2026",
        ),
        (
            Period(PeriodKind.CUSTOM, datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)),
            "mars 2026",
            "mars 2026",
        ),
    ],
)
def test_a_periods_label_is_natural_swedish(period: Period, label: str, in_sentence: str):
    with translation.override("sv"):
        assert period.label == label
        assert period.label_in_sentence == in_sentence


# --- the content ------------------------------------------------------------------------------


def test_a_term_report_holds_the_terms_numbers(board: World, django_capture_on_commit_callbacks):
    report = _draft(board, django_capture_on_commit_callbacks, SPRING_2026)
    content = report.content
    assert content["period"] == {
        "kind": "term",
        "start": "2026-01-01",
        "end": "2026-07-01",
        "label": "Vårterminen 2026",
    }
    assert report.title == "Återrapportering av samverkan skola–socialtjänst vårterminen 2026"
    # March is in the spring term: 5 of 7 decided within the deadline = 71 %.
    assert _percent(content["values"]["decided_within_deadline"]) == 71
    # Compared with the spring term a year before, which had nothing.
    assert _percent(content["previous"]["decided_within_deadline"]) is None
    # The trend: the twelve months up to the term's end, March with its 8 reports.
    months = [point["month"] for point in content["trend"]["reports"]]
    assert (months[0], months[-1], len(months)) == ("2025-07-01", "2026-06-01", 12)
    march = [point for point in content["trend"]["reports"] if point["month"] == "2026-03-01"]
    assert march[0]["value"] == "8"


def test_the_autumn_term_before_has_none_of_marchs_numbers(
    board: World, django_capture_on_commit_callbacks
):
    report = _draft(board, django_capture_on_commit_callbacks, term_period("autumn", 2025))
    assert _percent(report.content["values"]["decided_within_deadline"]) is None
    assert all(point["month"] < "2026-01-01" for point in report.content["trend"]["reports"])


def test_a_run_of_months_is_compared_with_the_months_just_before(
    board: World, django_capture_on_commit_callbacks
):
    report = _draft(board, django_capture_on_commit_callbacks, APRIL_MAY_2026)
    # April–May had no decision; the two months before (February–March) had March's.
    assert _percent(report.content["values"]["decided_within_deadline"]) is None
    assert _percent(report.content["previous"]["decided_within_deadline"]) == 71
    assert report.title.endswith("april–maj 2026")


def test_the_pdf_of_a_term_report_names_the_term_and_the_term_before(
    board: World, django_capture_on_commit_callbacks
):
    report = _draft(board, django_capture_on_commit_callbacks, SPRING_2026)
    text = " ".join(pdf_text(report).split())  # lines wrap where the page ends them
    assert "Återrapportering av samverkan skola–socialtjänst vårterminen 2026" in text
    assert "fungerade vårterminen 2026" in text
    assert "Måtten för vårterminen 2026, jämfört med vårterminen 2025" in text
    assert "Vårterminen 2026 Vårterminen 2025" in text  # the table's column headings
    assert "71 %" in text


# --- the form ---------------------------------------------------------------------------------


def _form(world: World, data: dict[str, str]) -> DraftForm:
    with translation.override("sv"):
        form = DraftForm(
            {"municipality": str(world.municipality().pk), **data},
            municipalities=[world.municipality()],
            today=datetime.date(2026, 4, 15),
        )
        form.is_valid()
    return form


def test_the_form_reads_a_year_a_term_and_a_run_of_months(world: World):
    assert _form(world, {"period_kind": "year", "year": "2025"}).cleaned_data[
        "period"
    ] == year_period(2025)
    assert _form(world, {"year": "2025"}).cleaned_data["period"] == year_period(2025)
    term = _form(world, {"period_kind": "term", "term": "spring-2026"})
    assert term.cleaned_data["period"] == SPRING_2026
    months = _form(world, {"period_kind": "custom", "from_month": "2026-04", "to_month": "2026-04"})
    assert months.cleaned_data["period"] == Period(
        PeriodKind.CUSTOM, datetime.date(2026, 4, 1), datetime.date(2026, 5, 1)
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"period_kind": "custom", "from_month": "2026-03", "to_month": "2026-01"},
            "to_month",
            "Den sista månaden kommer före den första.",
        ),
        (
            {"period_kind": "custom", "from_month": "2024-01", "to_month": "2026-01"},
            "to_month",
            "Välj högst 24 månader.",
        ),
        (
            {"period_kind": "custom", "from_month": "2026-04", "to_month": "2026-05"},
            "to_month",
            "Välj en månad till och med den här månaden.",
        ),
        ({"period_kind": "term", "term": "autumn-2026"}, "term", "Välj ett giltigt alternativ"),
        (
            {"period_kind": "custom", "from_month": "", "to_month": "2026-01"},
            "from_month",
            "Välj den första månaden.",
        ),
    ],
)
def test_the_form_refuses_a_bad_period_in_swedish(
    world: World, data: dict[str, str], field: str, message: str
):
    form = _form(world, data)
    assert not form.is_valid()
    assert "period" not in form.cleaned_data
    assert message in " ".join(str(error) for error in form.errors[field])


def test_twenty_four_months_are_allowed(world: World):
    form = _form(world, {"period_kind": "custom", "from_month": "2024-05", "to_month": "2026-04"})
    assert form.cleaned_data["period"].months[0] == datetime.date(2024, 5, 1)
    assert len(form.cleaned_data["period"].months) == 24


def test_the_form_offers_plain_swedish_choices_with_the_year_by_default(world: World):
    with translation.override("sv"):
        form = DraftForm(municipalities=[world.municipality()], today=datetime.date(2026, 4, 15))
        html = str(form["period_kind"]) + str(form["term"]) + str(form["from_month"])
    assert form.initial["period_kind"] == "year"
    assert form.initial["year"] == 2025
    for text in ("Ett kalenderår", "En termin", "Några månader i följd", "Vårterminen 2026"):
        assert text in html
    assert ">april 2026<" in html
    assert "maj 2026" not in html  # no month in the future
    assert "Hösttermin 2026" not in html


@pytest.mark.usefixtures("two_factor_set_up")
def test_a_bad_run_of_months_keeps_what_was_typed_and_a_double_submit_makes_one(
    client: Client, world: World, django_capture_on_commit_callbacks
):
    client.force_login(world.user(Role.COORDINATOR))
    client.cookies["django_language"] = "sv"
    bad = {
        "municipality": world.municipality().pk,
        "period_kind": "custom",
        "from_month": "2026-03",
        "to_month": "2026-01",
    }
    response = client.post(reverse("followup_board:create"), bad)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Den sista månaden kommer före den första." in page
    assert '<option value="2026-03" selected>mars 2026</option>' in page
    assert '<option value="2026-01" selected>januari 2026</option>' in page
    assert re.search(r'<input[^>]*value="custom"[^>]*checked', page)
    assert not BoardReport.objects.exists()
    good = {**bad, "period_kind": "term", "term": "spring-2026"}
    with (
        mock.patch("followup.board_services.render_pdf", return_value=b"%PDF-1.7\n"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = client.post(reverse("followup_board:create"), good)
        second = client.post(reverse("followup_board:create"), good)
    assert first.status_code == second.status_code == 302
    report = BoardReport.objects.get()
    assert report.period == SPRING_2026
    listing = client.get(reverse("followup_board:list")).content.decode()
    assert "<td>Vårterminen 2026</td>" in listing
    detail = client.get(reverse("followup_board:detail", args=[report.pk])).content.decode()
    assert "Period: Vårterminen 2026" in detail


# --- making the PDF again ---------------------------------------------------------------------


def _fail(report: BoardReport, *, refresh_content: bool) -> None:
    with mock.patch("followup.board_services.render_pdf", side_effect=OSError("Arbetaren dog")):
        board_services.board_report_generate(report_id=report.pk, refresh_content=refresh_content)
    report.refresh_from_db()
    assert report.generation_state == GenerationState.FAILED


def test_a_published_reports_failed_pdf_is_made_again_from_its_frozen_content(
    client: Client, board: World, django_capture_on_commit_callbacks
):
    report = _draft(board, django_capture_on_commit_callbacks, SPRING_2026)
    coordinator = board.user(Role.COORDINATOR)
    give_totp(coordinator)
    client.cookies["django_language"] = "sv"
    board_services.board_report_comment_add(
        actor=coordinator, report=report, section=1, text="Skrivet före publiceringen."
    )
    board_services.board_report_generate(report_id=report.pk, refresh_content=False)
    # Publishing queues the final PDF; its task fails.
    board_services.board_report_publish(actor=coordinator, report=report)
    _fail(report, refresh_content=False)
    content = report.content
    # Nothing else can make it: the task refuses a published report that is not queued.
    assert board_services.board_report_generate(report_id=report.pk, refresh_content=False) == (
        "skipped"
    )
    client.force_login(coordinator)
    page = client.get(reverse("followup_board:detail", args=[report.pk])).content.decode()
    assert "Skapa PDF:en igen" in page
    assert "Återrapporteringen kunde inte skapas." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("followup_board:remake_pdf", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == BoardReportState.PUBLISHED
    assert report.generation_state == GenerationState.DONE
    assert report.content == content
    assert list(
        BoardReportComment.objects.filter(report=report).values_list("text", flat=True)
    ) == ["Skrivet före publiceringen."]
    assert "Publicerad" in pdf_text(report)
    event = AuditEvent.objects.get(event_type=AuditEventType.BOARD_REPORT_PDF_REMADE)
    assert event.actor == coordinator
    # Ready again: no button, and a second post changes nothing.
    page = client.get(reverse("followup_board:detail", args=[report.pk])).content.decode()
    assert "Skapa PDF:en igen" not in page
    client.post(reverse("followup_board:remake_pdf", args=[report.pk]))
    assert AuditEvent.objects.filter(event_type=AuditEventType.BOARD_REPORT_PDF_REMADE).count() == 1


def test_a_drafts_pdf_stuck_by_a_killed_worker_is_made_again_with_the_same_numbers(
    board: World, django_capture_on_commit_callbacks
):
    report = _draft(board, django_capture_on_commit_callbacks, SPRING_2026)
    content = report.content
    # A worker killed mid-way leaves the report "being made" for ever.
    BoardReport.objects.filter(pk=report.pk).update(generation_state=GenerationState.RUNNING)
    report.refresh_from_db()
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(NOW + datetime.timedelta(days=30), tick=False),
    ):
        board_services.board_report_pdf_remake(actor=board.user(Role.COORDINATOR), report=report)
    report.refresh_from_db()
    assert report.generation_state == GenerationState.DONE
    assert report.content == content  # the PDF only, not today's numbers


@pytest.mark.usefixtures("two_factor_set_up")
def test_only_the_coordinator_may_make_the_pdf_again(client: Client, world: World):
    report = board_services.board_report_create_draft(
        actor=world.user(Role.COORDINATOR), municipality=world.municipality(), period=SPRING_2026
    )  # its task never ran: it waits
    allowed = [world.user(Role.COORDINATOR)]
    assert_matrix(
        client,
        reverse("followup_board:remake_pdf", args=[report.pk]),
        [
            (None, LOGIN),
            *[(user, 404) for user in everyone_else(world, allowed)],
            *[(user, 302) for user in allowed],
        ],
        method="post",
    )
    assert AuditEvent.objects.filter(event_type=AuditEventType.BOARD_REPORT_PDF_REMADE).count() == 1
    # A GET changes nothing.
    client.force_login(allowed[0])
    assert client.get(reverse("followup_board:remake_pdf", args=[report.pk])).status_code == 405
