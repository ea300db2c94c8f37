"""What a decision records (issue 9): reasons (required when no investigation is opened, never
shown to the school), the decision maker under the delegation rules, the delegation point,
and the case number in the record system — each rule by hand, on the page, in the history,
the print view and the audit event."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from access.models import AuditEvent, AuditEventType
from organisations import services as organisation_services
from organisations.models import Role, UnitKind, User
from organisations.tests.builders import new_user
from reports import services_intake
from reports.models import ConcernReport, DeadlineSettings, Decision, ReportStatus
from reports.tests.builders import DELEGATION, advance, submitted
from tests.world import World

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

REASONS = "Familjen har redan stöd av BUP och ingen ny oro har framkommit."
SWEDISH = {"Accept-Language": "sv"}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def ready(world: World) -> ConcernReport:
    """A report whose decision is the next step."""
    return advance(submitted(world), ReportStatus.PRELIMINARY_ASSESSMENT, intake=intake(world))


def intake(world: World, place: str = "leksand") -> User:
    return world.user(Role.INTAKE, place)


def decide(report: ConcernReport, actor: User, **values: object) -> ConcernReport:
    record: dict[str, object] = {"decision": Decision.OPENED, "delegation_point": DELEGATION}
    record.update(values)
    return services_intake.report_decide(report=report, actor=actor, **record)  # type: ignore[arg-type]


def head_of_intake(world: World) -> User:
    """The head of the Leksand intake: the manager role at the intake unit."""
    user = new_user(username="enhetschef", first_name="Eva", last_name="Berg")
    organisation_services.membership_create(
        actor=None, user=user, unit=world.unit(UnitKind.INTAKE), role=Role.MANAGER
    )
    return user


def step_url(report: ConcernReport) -> str:
    return reverse("reports:intake_step", args=[report.public_id, "decide"])


def detail_url(report: ConcernReport) -> str:
    return reverse("reports:intake_detail", args=[report.public_id])


# --- the rules, by hand ---------------------------------------------------------------------


def test_not_opening_an_investigation_needs_reasons(world: World) -> None:
    report = ready(world)
    for blank in ("", "   \n "):
        with pytest.raises(ValidationError) as raised:
            decide(report, intake(world), decision=Decision.NOT_OPENED, reasons=blank)
        assert "reasons" in raised.value.message_dict
    assert ConcernReport.objects.get(pk=report.pk).decision == ""
    decided = decide(report, intake(world), decision=Decision.NOT_OPENED, reasons=f" {REASONS} ")
    assert decided.decision_reasons == REASONS


def test_other_decisions_may_give_reasons_but_need_not(world: World) -> None:
    assert decide(ready(world), intake(world)).decision_reasons == ""
    added = decide(
        ready(world), intake(world), decision=Decision.ADDED_TO_ONGOING, reasons="Pågår sedan maj."
    )
    assert added.decision_reasons == "Pågår sedan maj."


def test_the_decision_maker_is_the_user_unless_another_who_may_decide_is_named(
    world: World,
) -> None:
    assert decide(ready(world), intake(world)).decision_maker == intake(world)
    head = head_of_intake(world)
    decided = decide(ready(world), intake(world), decision_maker=head)
    assert (decided.decision_maker, decided.decided_by) == (head, intake(world))


@pytest.mark.parametrize(
    "who",
    [
        lambda w: w.user(Role.REPORTER),  # not at the intake
        lambda w: w.user(Role.MANAGER),  # a manager, but not of the intake
        lambda w: w.user(Role.INTAKE, "eksjo"),  # another municipality's intake
    ],
)
def test_a_decision_maker_who_may_not_decide_is_refused(world: World, who) -> None:
    report = ready(world)
    with pytest.raises(ValidationError) as raised:
        decide(report, intake(world), decision_maker=who(world))
    assert "decision_maker" in raised.value.message_dict
    assert ConcernReport.objects.get(pk=report.pk).status == ReportStatus.PRELIMINARY_ASSESSMENT


def test_the_delegation_point_is_required_and_the_case_number_is_short(world: World) -> None:
    report = ready(world)
    with pytest.raises(ValidationError) as raised:
        decide(report, intake(world), delegation_point="  ")
    assert "delegation_point" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        decide(report, intake(world), case_number="x" * 41)
    assert "case_number" in raised.value.message_dict
    decided = decide(report, intake(world), case_number="  IFO 2026/0123 ")
    assert (decided.delegation_point, decided.case_number) == (DELEGATION, "IFO 2026/0123")


def test_the_audit_event_names_the_decision_maker_but_keeps_reasons_and_case_number_out(
    world: World,
) -> None:
    report = decide(
        ready(world),
        intake(world),
        decision=Decision.NOT_OPENED,
        reasons=REASONS,
        case_number="IFO 2026/9",
    )
    event = AuditEvent.objects.get(event_type=AuditEventType.REPORT_DECIDED, object_id=report.pk)
    assert event.new_values["decision_maker"] == intake(world).pk
    assert event.new_values["delegation_point"] == DELEGATION
    assert event.new_values["reasons_given"] is True
    assert event.new_values["case_number_given"] is True
    assert REASONS not in str(event.new_values)
    assert "IFO 2026/9" not in str(event.new_values)


# --- the form and the pages -------------------------------------------------------------------


def test_the_form_offers_the_user_and_the_municipality_s_delegation_point(
    client: Client, world: World
) -> None:
    DeadlineSettings.objects.create(municipality=world.municipality(), delegation_point=DELEGATION)
    head = head_of_intake(world)
    report = ready(world)
    client.force_login(intake(world))
    page = text_of(client.get(detail_url(report)))
    assert f'name="decide-delegation_point" value="{DELEGATION}"' in page
    assert f'<option value="{intake(world).pk}" selected>' in page
    assert f'<option value="{head.pk}">Eva Berg</option>' in page
    # The reporter and other municipalities' staff are not offered.
    assert f'<option value="{world.user(Role.REPORTER).pk}"' not in page
    assert f'<option value="{intake(world, "eksjo").pk}"' not in page


def test_a_not_opened_decision_without_reasons_says_so_in_swedish_and_keeps_what_was_typed(
    world: World,
) -> None:
    report = ready(world)
    client = Client(headers=SWEDISH)
    client.force_login(intake(world))
    data = {
        "decide-decision": Decision.NOT_OPENED,
        "decide-reasons": "",
        "decide-decision_maker": str(intake(world).pk),
        "decide-delegation_point": "Delegationsordning IFO 9.9",
        "decide-case_number": "IFO 2026/77",
    }
    response = client.post(step_url(report), data)
    assert response.status_code == 200
    text = text_of(response)
    assert "Ange skälen till att utredning inte inleds." in text
    assert 'value="Delegationsordning IFO 9.9"' in text
    assert 'value="IFO 2026/77"' in text
    response = client.post(step_url(report), {**data, "decide-case_number": "9" * 41})
    assert "Ärendenumret får vara högst 40 tecken." in text_of(response)
    reporter = str(world.user(Role.REPORTER).pk)
    wrong = {**data, "decide-reasons": REASONS, "decide-decision_maker": reporter}
    response = client.post(step_url(report), wrong)
    assert response.status_code == 200
    assert ConcernReport.objects.get(pk=report.pk).decision == ""


def test_the_page_the_history_and_the_print_view_show_what_was_recorded(
    client: Client, world: World
) -> None:
    head = head_of_intake(world)
    report = decide(
        ready(world),
        intake(world),
        decision=Decision.NOT_OPENED,
        reasons=REASONS,
        decision_maker=head,
        case_number="IFO 2026/0042",
    )
    client.force_login(intake(world))
    for url in (detail_url(report), reverse("reports:intake_print", args=[report.public_id])):
        text = text_of(client.get(url))
        history = text[text.index('id="history-decision"') :]
        assert "decided by Eva Berg" in history
        assert REASONS in history
        assert DELEGATION in history
        assert "IFO 2026/0042" in history
        assert "Recorded by" in history
        assert "Case number:" in text[: text.index('id="history-decision"')]


def test_the_reasons_never_reach_the_school(world: World) -> None:
    report = decide(ready(world), intake(world), decision=Decision.NOT_OPENED, reasons=REASONS)
    report = services_intake.report_give_feedback(
        report=report, actor=intake(world), feedback="not_opened"
    )
    for user in (report.author, world.user(Role.PRINCIPAL)):
        client = Client()
        client.force_login(user)
        response = client.get(reverse("reports:status", args=[report.public_id]))
        assert response.status_code == 200
        text = text_of(response)
        assert REASONS not in text
        assert DELEGATION not in text


def test_the_decision_form_costs_one_query_more_than_the_page_without_it(
    client: Client, world: World, django_assert_max_num_queries
) -> None:
    report = ready(world)
    client.force_login(intake(world))
    client.get(detail_url(report))  # the first request of a session checks two-factor
    # The page's 17 (see test_intake_detail) and the people who may decide.
    with django_assert_max_num_queries(18):
        assert client.get(detail_url(report)).status_code == 200
