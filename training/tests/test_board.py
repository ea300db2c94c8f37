"""The board report's part "Training and surveys": the figures frozen in the snapshot (the
share trained per sector, the sessions of the period with their mix and evaluation, the
mapping survey over rounds with small groups suppressed), shown on the report's page at the
same fixed number of queries, and in the PDF made from the same template."""

import datetime
from typing import Any
from unittest import mock

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.pdf import render_pdf
from followup.board_services import PDF_TEMPLATE, pdf_context
from followup.models import BoardReport
from followup.tests import board_builders
from followup.tests.board_builders import keep_language  # noqa: F401 - a fixture
from organisations.models import Role, Sector, UnitKind
from surveys.models import SurveyKind
from tests.world import World
from training.tests import builders

pytestmark = pytest.mark.usefixtures("two_factor_set_up", "keep_language")

PDF = b"%PDF-1.7\n%%EOF\n"
HELD_ON = datetime.date(2026, 3, 10)


@pytest.fixture
def report(world: World, django_capture_on_commit_callbacks) -> BoardReport:
    school = builders.staffed(world, UnitKind.SCHOOL, 40)
    intake = builders.staffed(world, UnitKind.INTAKE, 8)
    evaluation = builders.evaluation_round(
        world.municipality(), [5, 4, 4, 3, 4, 4], opens_on=HELD_ON
    )
    builders.session(
        world,
        held_on=HELD_ON,
        counts={school: 24, intake: 6},
        groups=[(Sector.SCHOOL, Sector.SOCIAL_SERVICES), (Sector.SCHOOL,)],
        title="Gränsdragningar i blandade grupper",
        evaluation=evaluation,
    )
    questions = [("routine", "mapping_knows_routine", ["4", "5"])]
    first = builders.survey_round(
        world.municipality(),
        kind=SurveyKind.MAPPING,
        title="Kartläggning hösten 2025",
        opens_on=datetime.date(2025, 10, 1),
        questions=questions,
        answers=[{"routine": "5"}, {"routine": "2"}, {"routine": "4"}],  # 3: under five
    )
    builders.survey_round(
        world.municipality(),
        kind=SurveyKind.MAPPING,
        title="Kartläggning våren 2026",
        opens_on=datetime.date(2026, 4, 1),
        questions=questions,
        answers=[{"routine": "5"}] * 8 + [{"routine": "1"}] * 2,
        version=first.template_version,
    )
    with mock.patch("followup.board_services.render_pdf", return_value=PDF):
        return board_builders.published(world, django_capture_on_commit_callbacks)


def test_the_snapshot_holds_the_figures_as_they_may_be_shown(report: BoardReport) -> None:
    part = report.content["training"]
    assert part["staff_share"]["value"] is not None
    assert part["staff_share"]["numerator"] == "30"
    assert part["staff_share"]["denominator"] == "48"
    sectors = {row["label"]: row for row in part["sectors"]}
    assert (sectors["Skola"]["trained"], sectors["Skola"]["staff"]) == (24, 40)
    (session,) = part["sessions"]
    assert (session["participants"], session["sectors"], session["groups"], session["mixed"]) == (
        30,
        2,
        2,
        1,
    )
    assert session["responses"] == "6"
    assert session["score"]["value"].startswith("4")
    (routine,) = part["mapping"]
    early, late = routine["points"]
    assert early["answered"] == "<5"
    assert early["share"]["protected"]
    assert early["share"]["value"] is None  # never the number behind a suppressed share
    assert late["answered"] == "10"
    assert late["share"]["value"] == "80"


def test_the_report_page_shows_the_part_at_the_same_cost(
    client: Client, world: World, report: BoardReport, django_assert_num_queries
) -> None:
    client = Client(headers={"Accept-Language": "sv"})
    client.force_login(world.user(Role.BOARD_MEMBER))
    client.get(reverse("followup_board:detail", args=[report.pk]))  # warm the caches
    with django_assert_num_queries(4):
        response = client.get(reverse("followup_board:detail", args=[report.pk]))
    page = response.content.decode()
    assert "Utbildning och enkäter" in page
    assert "Gränsdragningar i blandade grupper" in page
    assert "63 %" in page  # 30 of 48 trained
    assert "60 %" in page  # the school: 24 of 40
    assert "Kartläggning våren 2026" in page
    assert "80 %" in page
    assert "&lt;5" in page  # the autumn round's three answers


def test_the_part_is_in_the_pdf(report: BoardReport) -> None:
    with translation.override("sv"):
        context: dict[str, Any] = pdf_context(report)
        html = render_to_string(PDF_TEMPLATE, context)
    assert "Utbildning och enkäter" in html
    assert "Gränsdragningar i blandade grupper" in html
    assert render_pdf(PDF_TEMPLATE, context).startswith(b"%PDF")
