"""The board report's part on coordinated plans (SIP): the frozen content on the hand-counted
plans of ``indicator_scenario`` (protected counts stored as "<5" and "–"), the page and the
PDF in Swedish, and a report frozen before the part existed."""

import io

import pytest
import time_machine
from django.utils import translation
from pypdf import PdfReader

from followup.board_selectors import report_view
from followup.models import BoardReport
from followup.rollups import rebuild
from followup.tests import board_builders
from followup.tests.board_builders import keep_language  # noqa: F401 - a fixture
from organisations.models import Role
from sip.tests.indicator_scenario import NOW, Scenario, build

pytestmark = pytest.mark.usefixtures("keep_language")


@pytest.fixture
def report(db, django_capture_on_commit_callbacks):  # noqa: ARG001 - asks for the database
    scenario = build()
    with time_machine.travel(NOW, tick=False):
        rebuild(now=NOW)
        # The year 2026 up to 15 April.
        made = board_builders.draft(scenario.world, django_capture_on_commit_callbacks)
        yield scenario, made


def test_the_snapshot_holds_the_sip_part_as_shown(report: tuple[Scenario, BoardReport]) -> None:
    _scenario, made = report
    content = made.content
    # 16 started: 1 from a report (<5), so the other 15 are hidden ("–") to keep it so.
    assert content["sip"] == {
        "total": "16",
        "sectors": [
            {"label": "Medicinsk elevhälsa", "started": "13"},
            {"label": "Region (hälso- och sjukvård)", "started": "<5"},
            {"label": "Socialtjänst", "started": "<5"},
        ],
        "origins": [
            {"label": "Från en orosanmälan", "started": "<5"},
            {"label": "På annat sätt", "started": "–"},
        ],
    }
    values = content["values"]
    assert values["sip_started"] == {
        "key": "sip_started",
        "value": "16",
        "protected": False,
        "hidden": False,
        "target": None,
        "numerator": "16",
        "denominator": None,
    }
    # 2 of the 5 follow-up dates due were met: the share rests on a small count.
    assert values["sip_follow_up_on_time"]["protected"] is True
    assert values["sip_follow_up_on_time"]["value"] is None
    assert values["sip_follow_up_on_time"]["numerator"] == "<5"
    assert values["sip_follow_up_on_time"]["target"] == "100"
    # At the end of the period so far (April): 5 of 6 active plans name the responsible; the
    # share is shown, its counts are not (6 − 5 = 1).
    responsible = values["sip_responsible_named"]
    assert responsible["value"] is not None
    assert responsible["value"].startswith("83.3")
    assert (responsible["numerator"], responsible["denominator"]) == ("–", "–")
    assert values["sip_consent_ended_first"]["protected"] is True
    assert content["previous"]["sip_started"]["value"] == "0"
    # Nothing about a plan: no child's name, no reference.
    text = str(content)
    for plan in _scenario.plans.values():
        assert plan.child_name not in text
        assert plan.reference not in text


def test_the_page_and_the_pdf_show_the_part_in_swedish(
    report: tuple[Scenario, BoardReport], client
) -> None:
    scenario, made = report
    # The words of a frozen report are given in the reader's language: Swedish here, whatever
    # language an earlier test in this process left active.
    with translation.override("sv"):
        view = report_view(made.content)
    names = [row["name"] for row in view["sip"]["rows"]]
    assert names[0] == "Påbörjade samordnade planer (SIP)"
    assert len(names) == 5
    assert not set(names) & {row["name"] for row in view["indicators"]}
    with made.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")
    assert "Samordnad individuell plan (SIP)" in text
    assert "Under 2026 påbörjades 16 samordnade planer." in text
    assert "Aktiva samordnade planer med en huvudansvarig" in text
    assert "83 %" in text
    assert "Från en orosanmälan" in text
    client.force_login(scenario.world.user(Role.COORDINATOR))
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/aterrapportering/{made.pk}/", HTTP_ACCEPT_LANGUAGE="sv")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Samordnad individuell plan (SIP)" in html
    assert "Påbörjade planer efter den sammankallande enhetens sektor" in html


def test_a_report_frozen_before_the_part_has_none(report: tuple[Scenario, BoardReport]) -> None:
    _scenario, made = report
    old = {key: value for key, value in made.content.items() if key != "sip"}
    old["values"] = {k: v for k, v in old["values"].items() if not k.startswith("sip_")}
    old["previous"] = {k: v for k, v in old["previous"].items() if not k.startswith("sip_")}
    view = report_view(old)
    assert view["sip"] is None
    assert view["indicators"]
