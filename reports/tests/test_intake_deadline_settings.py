"""The municipality's own deadline rules: who may change them, the form's messages, the audit
event, and that a newly submitted report gets its deadlines from them."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from access.models import AuditEvent, AuditEventType
from organisations import services as organisation_services
from organisations.models import Role, UnitKind
from reports.deadlines import STOCKHOLM
from reports.models import DeadlineSettings
from reports.rules import rules_for
from reports.tests.builders import submitted
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

URL = reverse("reports:deadline_settings")


@pytest.fixture
def admin_client(client: Client, world: World) -> Client:
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    return client


def local_date(moment: datetime.datetime | None) -> datetime.date:
    assert moment is not None
    return moment.astimezone(STOCKHOLM).date()


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def form_data(**values: object) -> dict[str, object]:
    data: dict[str, object] = {
        "protection_late_hour": "",
        "decision_days": "",
        "feedback_days": "",
        "delegation_point": "",
    }
    data.update(values)
    return data


def test_only_a_municipal_admin_opens_the_settings(client: Client, world: World) -> None:
    admins = [world.user(Role.MUNICIPAL_ADMIN), world.user(Role.MUNICIPAL_ADMIN, "eksjo")]
    assert_matrix(
        client,
        URL,
        [
            (None, LOGIN),
            *((admin, 200) for admin in admins),
            *((user, 404) for user in everyone_else(world, admins)),
        ],
    )
    assert_matrix(
        client,
        URL,
        [(None, LOGIN), *((user, 404) for user in everyone_else(world, admins))],
        method="post",
        data=form_data(decision_days="10"),
    )
    assert not DeadlineSettings.objects.exists()


def test_the_page_shows_the_defaults_with_their_legal_references(admin_client: Client) -> None:
    text = text_of(admin_client.get(URL))
    for expected in (
        "20 kap. 1 § socialtjänstlagen (2025:400) (tidigare 11 kap. 1 a § SoL)",
        "20 kap. 2 § socialtjänstlagen (2025:400)",
        "19 kap. 6 § socialtjänstlagen (2025:400) (tidigare 14 kap. 1 b § SoL)",
        "from 16:00 (the assessment is then due the next day)",
        "14 days after arrival",
        "7 days after the decision",
        "feedback is due at once when the reporter asks after that time, or when the report "
        "was added to an investigation already ongoing",
    ):
        assert expected in text, expected
    assert "Leksand" in text


def test_saving_changes_the_rules_and_writes_an_audit_event(
    admin_client: Client, world: World
) -> None:
    leksand = world.municipality()
    response = admin_client.post(
        URL, form_data(protection_late_hour="14", decision_days="10", feedback_days="10")
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    rules = rules_for(leksand)
    assert (rules.protection_late_hour, rules.decision_days, rules.feedback_days) == (14, 10, 10)
    assert rules_for(world.municipality("eksjo")).decision_days == 14  # Eksjö keeps its own
    event = AuditEvent.objects.get(event_type=AuditEventType.DEADLINE_SETTINGS_CHANGED)
    assert event.actor == world.user(Role.MUNICIPAL_ADMIN)
    assert event.municipality == leksand
    assert event.old_values == {
        "protection_late_hour": None,
        "decision_days": None,
        "feedback_days": None,
        "delegation_point": "",
    }
    assert event.new_values == {
        "protection_late_hour": 14,
        "decision_days": 10,
        "feedback_days": 10,
        "delegation_point": "",
    }
    page = admin_client.get(URL)
    text = text_of(page)
    assert "The deadline settings of Leksand have been saved." in text
    assert 'name="decision_days" value="10"' in text
    assert "10 days after arrival" in text  # the own value beside the default
    assert "10 days after the decision" in text
    # Saving the same values again records nothing new.
    admin_client.post(
        URL, form_data(protection_late_hour="14", decision_days="10", feedback_days="10")
    )
    assert (
        AuditEvent.objects.filter(event_type=AuditEventType.DEADLINE_SETTINGS_CHANGED).count() == 1
    )
    # Blank goes back to the default.
    admin_client.post(URL, form_data(protection_late_hour="14"))
    rules = rules_for(leksand)
    assert (rules.protection_late_hour, rules.decision_days, rules.feedback_days) == (14, 14, 7)


def test_a_new_report_gets_its_deadlines_from_the_municipality_s_rules(
    admin_client: Client, world: World
) -> None:
    # Monday 2 March 2026, 15:00 in Stockholm: before the default late hour (16).
    arrival = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=STOCKHOLM)
    before = submitted(world, now=arrival)
    assert local_date(before.protection_due_at) == datetime.date(2026, 3, 2)
    assert local_date(before.decision_due_at) == datetime.date(2026, 3, 16)
    admin_client.post(URL, form_data(protection_late_hour="14", decision_days="10"))
    after = submitted(world, now=arrival)
    # Arrived after the new late hour: the protection assessment is due the next day.
    assert local_date(after.protection_due_at) == datetime.date(2026, 3, 3)
    assert local_date(after.decision_due_at) == datetime.date(2026, 3, 12)
    # A report that arrived before the change keeps its deadlines.
    before.refresh_from_db()
    assert local_date(before.decision_due_at) == datetime.date(2026, 3, 16)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "protection_late_hour",
            "24",
            "Enter a whole hour from 0 to 23, or leave the field blank to use the default.",
        ),
        (
            "protection_late_hour",
            "-1",
            "Enter a whole hour from 0 to 23, or leave the field blank to use the default.",
        ),
        (
            "protection_late_hour",
            "half past four",
            "Enter a whole hour from 0 to 23, or leave the field blank to use the default.",
        ),
        (
            "decision_days",
            "0",
            "Enter a whole number of days from 1 to 60, or leave the field blank.",
        ),
        (
            "decision_days",
            "61",
            "Enter a whole number of days from 1 to 60, or leave the field blank.",
        ),
        (
            "feedback_days",
            "1.5",
            "Enter a whole number of days from 1 to 60, or leave the field blank.",
        ),
    ],
)
def test_bad_values_get_a_clear_message_and_are_kept(
    admin_client: Client, field: str, value: str, message: str
) -> None:
    response = admin_client.post(URL, form_data(**{"decision_days": "12", field: value}))
    assert response.status_code == 200
    text = text_of(response)
    assert message in text
    assert f'value="{value}"' in text  # what was typed is kept
    assert not DeadlineSettings.objects.exists()
    assert not AuditEvent.objects.filter(
        event_type=AuditEventType.DEADLINE_SETTINGS_CHANGED
    ).exists()


def test_an_admin_of_two_municipalities_chooses_which(client: Client, world: World) -> None:
    admin = world.user(Role.MUNICIPAL_ADMIN)
    organisation_services.membership_create(
        actor=None,
        user=admin,
        unit=world.unit(UnitKind.MUNICIPAL_OFFICE, "eksjo"),
        role=Role.MUNICIPAL_ADMIN,
    )
    eksjo = world.municipality("eksjo")
    client.force_login(admin)
    response = client.get(URL, {"municipality": eksjo.pk})
    assert response.context["municipality"] == eksjo
    assert 'id="id_municipality"' in text_of(response)
    response = client.post(f"{URL}?municipality={eksjo.pk}", form_data(feedback_days="20"))
    assert response["Location"] == f"{URL}?municipality={eksjo.pk}"
    assert rules_for(eksjo).feedback_days == 20
    assert rules_for(world.municipality()).feedback_days == 7
    assert client.get(URL, {"municipality": "999999"}).status_code == 404


def test_an_admin_can_not_reach_another_municipality_s_settings(
    admin_client: Client, world: World
) -> None:
    eksjo = world.municipality("eksjo")
    assert admin_client.get(URL, {"municipality": eksjo.pk}).status_code == 404
    response = admin_client.post(f"{URL}?municipality={eksjo.pk}", form_data(decision_days="5"))
    assert response.status_code == 404
    assert rules_for(eksjo).decision_days == 14


def test_the_usual_delegation_point_is_kept_and_offered_on_every_decision(
    admin_client: Client, world: World
) -> None:
    response = admin_client.post(URL, form_data(delegation_point="  Delegationsordning IFO 3.1 "))
    assert response.status_code == 302
    own = DeadlineSettings.objects.get(municipality=world.municipality())
    assert own.delegation_point == "Delegationsordning IFO 3.1"
    assert "Delegationsordning IFO 3.1" in text_of(admin_client.get(URL))
    event = AuditEvent.objects.get(event_type=AuditEventType.DEADLINE_SETTINGS_CHANGED)
    assert event.new_values["delegation_point"] == "Delegationsordning IFO 3.1"
    too_long = admin_client.post(URL, form_data(delegation_point="x" * 101))
    assert too_long.status_code == 200
    assert "Keep the delegation point to at most 100 characters." in text_of(too_long)
    assert 'value="' + "x" * 101 in text_of(too_long)  # what was typed is kept
