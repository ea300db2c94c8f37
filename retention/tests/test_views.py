"""The retention pages: only the municipality's own admins (everyone else the same 404), the
two-step decision, bad input in Swedish with what was typed kept, and pinned query counts."""

import datetime
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from organisations.models import Role
from reports.models import ConcernReport
from retention.models import DecisionState, DeletionDecision, RecordType, RetentionRule
from retention.services import deletion_decide
from retention.tests.conftest import closed_report, identity, rule
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

OVERVIEW = reverse("retention:overview")
PROPOSAL = reverse("retention:proposal", args=[RecordType.REPORT])
RULE = reverse("retention:rule_edit", args=[RecordType.MEDICAL_PLAN])


def old_report(world: World, *, day: int = 6) -> ConcernReport:
    """A report closed six years ago (the session would not survive travelling in time)."""
    report = closed_report(world, day=day)
    assert report.closed_at is not None
    ConcernReport.objects.filter(pk=report.pk).update(
        closed_at=report.closed_at - datetime.timedelta(days=6 * 366)
    )
    return report


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def admin_client(client: Client, world: World) -> Client:
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    client.cookies["django_language"] = "sv"
    return client


def test_only_the_municipalitys_admin_sees_the_pages(client: Client, world: World) -> None:
    report = old_report(world)
    decision = deletion_decide(
        actor=world.user(Role.MUNICIPAL_ADMIN),
        rule=rule(world),
        object_ids=[report.pk],
        decision_reference="KS 1",
        submission_key=uuid.uuid4(),
    )
    decision_url = reverse("retention:decision", args=[decision.public_id])
    admin = world.user(Role.MUNICIPAL_ADMIN)
    other_admin = world.user(Role.MUNICIPAL_ADMIN, "eksjo")
    for url in (OVERVIEW, PROPOSAL, RULE):
        assert_matrix(
            client,
            url,
            [
                (None, LOGIN),
                (admin, 200),
                (other_admin, 200),  # their own municipality's page
                *((user, 404) for user in everyone_else(world, [admin, other_admin])),
            ],
        )
    # Another municipality's decision, and Leksand's page asked for by Eksjö: 404.
    assert_matrix(
        client,
        decision_url,
        [(None, LOGIN), (admin, 200), *((u, 404) for u in everyone_else(world, [admin]))],
    )
    leksand = world.municipality().pk
    assert_matrix(client, f"{OVERVIEW}?municipality={leksand}", [(other_admin, 404)])
    assert_matrix(client, reverse("retention:proposal", args=["nonsense"]), [(admin, 404)])
    for url in (PROPOSAL, RULE, decision_url):
        assert_matrix(
            client,
            url,
            [(None, LOGIN), *((u, 404) for u in everyone_else(world, [admin, other_admin]))],
            method="post",
            data={"decision_reference": "KS 1", "years": "20", "confirmed": "True"},
        )
    assert DeletionDecision.objects.get().state == DecisionState.DECIDED
    assert not RetentionRule.objects.filter(years=20).exists()


def test_the_decision_is_made_in_two_steps(admin_client: Client, world: World) -> None:
    due = old_report(world)
    kept = old_report(world, day=5)
    with translation.override("sv"):
        page = text_of(admin_client.get(PROPOSAL))
        assert due.reference in page
        assert "Bevaras för forskning" in page
        for personal in ("Testa", identity(6), identity(5)):
            assert personal not in page
        first = admin_client.post(PROPOSAL, {"decision_reference": "KS 2031/45", "items": [due.pk]})
        confirm = text_of(first)
        assert "Gallra 1 ärende? Det går inte att ångra." in confirm
        assert not DeletionDecision.objects.exists()
        key = re.search(r'name="submission_key" value="([^"]+)"', confirm)
        assert key is not None
        data = {
            "decision_reference": "KS 2031/45",
            "items": [due.pk],
            "confirmed": "True",
            "submission_key": key[1],
        }
        second = admin_client.post(PROPOSAL, data)
        again = admin_client.post(PROPOSAL, data)  # a double click
    decision = DeletionDecision.objects.get()
    assert second.status_code == 302
    assert again.status_code == 302
    assert second["Location"] == reverse("retention:decision", args=[decision.public_id])
    assert decision.state == DecisionState.COMPLETED
    assert decision.decision_reference == "KS 2031/45"
    assert ConcernReport.objects.get(pk=due.pk).child_name == ""
    assert ConcernReport.objects.get(pk=kept.pk).child_name == "Testa Testsson"
    with translation.override("sv"):
        shown = text_of(admin_client.get(second["Location"]))
    assert due.reference in shown
    assert decision.archive_sha256 in shown


def test_a_kept_record_smuggled_into_the_form_is_refused(admin_client: Client, world: World):
    kept = old_report(world, day=25)
    data = {
        "decision_reference": "KS 2031/45",
        "items": [kept.pk],
        "confirmed": "True",
        "submission_key": str(uuid.uuid4()),
    }
    with translation.override("sv"):
        response = admin_client.post(PROPOSAL, data)
    assert response.status_code == 400
    assert "inte längre" in text_of(response)
    assert not DeletionDecision.objects.exists()


def test_bad_input_is_explained_in_swedish(admin_client: Client, world: World) -> None:
    old_report(world)
    with translation.override("sv"):
        empty = admin_client.post(PROPOSAL, {"decision_reference": "  ", "items": ["1"]})
        short = admin_client.post(
            RULE, {"years": "9", "clock_start": "last_entry", "plan_reference": "Min plan"}
        )
        words = admin_client.post(
            RULE, {"years": "fem", "clock_start": "last_entry", "plan_reference": "Min plan"}
        )
        zero = admin_client.post(
            reverse("retention:rule_edit", args=[RecordType.REPORT]),
            {"years": "0", "clock_start": "last_entry"},
        )
    assert empty.status_code == 400
    assert "Ange beslutets diarienummer" in text_of(empty)
    assert "minst 10 år" in text_of(short)
    assert "Min plan</textarea>" in text_of(short)
    assert "heltal" in text_of(words)
    assert 'value="fem"' in text_of(words)
    assert "Ange minst 1 år." in text_of(zero)
    assert 'value="0"' in text_of(zero)
    assert rule(world, RecordType.MEDICAL_PLAN).years == 10


def test_the_admin_changes_a_rule(admin_client: Client, world: World) -> None:
    url = reverse("retention:rule_edit", args=[RecordType.REPORT])
    response = admin_client.post(
        url, {"years": "7", "clock_start": "closed", "plan_reference": "DHP 4.2"}
    )
    assert response.status_code == 302
    changed = rule(world)
    assert (changed.years, changed.clock_start, changed.research_exception) == (7, "closed", False)
    assert changed.updated_by == world.user(Role.MUNICIPAL_ADMIN)


def test_the_proposal_costs_the_same_for_many_records(
    admin_client: Client, world: World, django_assert_max_num_queries
) -> None:
    old_report(world)
    admin_client.get(PROPOSAL)  # the session and the rules are set up
    with django_assert_max_num_queries(12) as few:
        admin_client.get(PROPOSAL)
    for day in (7, 8, 9, 10):
        old_report(world, day=day)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(PROPOSAL)
    assert response.content.decode().count("<tr>") == 6  # the head and five rows
