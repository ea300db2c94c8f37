"""Every service that changes protected data asks the same policy as the pages do, so a call by
an outsider — the same role in another municipality, or the wrong role — is refused
(``NotPermitted``) and changes nothing, even when no view stands in front of it."""

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from access import services as access_services
from access.models import AuditEvent
from access.policies import NotPermitted
from audits import services as audit_services
from audits.tests import builders as audit_builders
from followup import board_services
from followup import services as followup_services
from followup.periods import year_period
from followup.policies import MANAGE_COMPARISON, MANAGE_TARGETS, followup_policy
from governance import services as governance_services
from governance.tests import builders as governance_builders
from organisations import services as organisation_services
from organisations import services_breaks, services_contacts
from organisations.models import BreakKind, Role, TermKind, UnitKind
from organisations.selectors import memberships_of
from organisations.services_contacts import ContactValues
from reports import services_intake, services_registration, services_school
from reports.models import (
    Decision,
    ExtensionReason,
    Feedback,
    ReceivedVia,
    ReportSource,
    ReportStatus,
)
from reports.tests import builders as report_builders
from tests.world import World
from wheel import feeds
from wheel import services as wheel_services
from wheel.tests import series_builders

Call = Callable[[World, dict[str, Any]], object]


@pytest.fixture
def things(world: World) -> dict[str, Any]:
    """Leksand's protected objects, one of each kind."""
    intake = world.user(Role.INTAKE)
    decided = report_builders.advance(
        report_builders.submitted(world), ReportStatus.DECIDED, intake=intake
    )
    document = governance_builders.document(world)
    version = governance_builders.version(world, document)
    series_builders.add_terms(world)
    series = series_builders.make_series(world)
    occurrence = series.occurrences.order_by("starts_at").first()
    assert occurrence is not None
    audit = audit_builders.audit(world)
    audit_recommendation = audit_builders.recommendation(world, audit)
    return {
        "audit": audit,
        "audit_question": audit_services.question_add(
            actor=world.user(Role.AUDITOR), audit=audit, number=1, text="Fråga"
        ),
        "audit_recommendation": audit_recommendation,
        "audit_measure": audit_builders.measure(world, audit_recommendation),
        "audit_round": audit_services.round_create(
            actor=world.user(Role.AUDITOR),
            audit=audit,
            title="Uppföljning",
            held_on=datetime.date(2023, 1, 27),
        ),
        "draft": report_builders.draft(world),
        "submitted": report_builders.submitted(world),
        "received": report_builders.advance(
            report_builders.submitted(world), ReportStatus.RECEIVED, intake=intake
        ),
        "decided": decided,
        "document": document,
        "version": version,
        "goal": governance_services.goal_add(
            actor=world.user(Role.COORDINATOR), document=document, text="Alla känner rutinen."
        ),
        "series": series,
        "occurrence": occurrence,
        "feed": feeds.calendar_feed_create(user=world.user(Role.COORDINATOR)),
        "board_report": board_services.board_report_create_draft(
            actor=world.user(Role.COORDINATOR),
            municipality=world.municipality(),
            period=year_period(2025),
        ),
        "term": organisation_services.term_create(
            actor=None,
            municipality=world.municipality(),
            kind=TermKind.AUTUMN,
            starts_on=datetime.date(2030, 8, 19),
            ends_on=datetime.date(2030, 12, 20),
        ),
        "school_break": services_breaks.school_break_create(
            actor=None,
            municipality=world.municipality(),
            kind=BreakKind.AUTUMN,
            starts_on=datetime.date(2030, 10, 28),
            ends_on=datetime.date(2030, 11, 1),
        ),
    }


def _eksjo(world: World, role: str):
    return world.user(role, "eksjo")


# (name, call): each call is made by an outsider and must be refused.
CALLS: list[tuple[str, Call]] = [
    # --- the school side: another municipality's reporter -------------------------------------
    (
        "report_draft_create at another municipality's school",
        lambda w, _t: services_school.report_draft_create(
            author=_eksjo(w, Role.REPORTER),
            membership=memberships_of(_eksjo(w, Role.REPORTER))[0],
            school_unit=w.unit(UnitKind.SCHOOL),
        ),
    ),
    (
        "report_draft_create with someone else's membership",
        lambda w, _t: services_school.report_draft_create(
            author=_eksjo(w, Role.REPORTER),
            membership=memberships_of(w.user(Role.REPORTER))[0],
            school_unit=w.unit(UnitKind.SCHOOL),
        ),
    ),
    (
        "report_draft_update",
        lambda w, t: services_school.report_draft_update(
            report=t["draft"],
            actor=w.user(Role.STUDENT_HEALTH),
            expected_version=t["draft"].version,
            values={"child_name": "Annan"},
            categories=[],
        ),
    ),
    (
        "report_submit",
        lambda w, t: services_school.report_submit(
            report=t["draft"], actor=w.user(Role.STUDENT_HEALTH), submission_key=uuid.uuid4()
        ),
    ),
    (
        "report_supplement_add",
        lambda w, t: services_school.report_supplement_add(
            report=t["submitted"], actor=w.user(Role.PRINCIPAL), text="Mer."
        ),
    ),
    (
        "report_draft_delete",
        lambda w, t: services_school.report_draft_delete(
            report=t["draft"], actor=_eksjo(w, Role.REPORTER)
        ),
    ),
    (
        "sibling_link",
        lambda w, t: services_school.sibling_link(
            report=t["draft"], sibling=t["submitted"], actor=w.user(Role.STUDENT_HEALTH)
        ),
    ),
    # --- the intake's steps: Eksjö's intake -------------------------------------------------------
    (
        "report_receive",
        lambda w, t: services_intake.report_receive(
            report=t["submitted"], actor=_eksjo(w, Role.INTAKE)
        ),
    ),
    (
        "report_assess_protection",
        lambda w, t: services_intake.report_assess_protection(
            report=t["received"],
            actor=_eksjo(w, Role.INTAKE),
            immediate_protection_needed=False,
            justification="Ingen fara.",
        ),
    ),
    (
        "report_start_preliminary (the principal)",
        lambda w, t: services_intake.report_start_preliminary(
            report=t["received"], actor=w.user(Role.PRINCIPAL)
        ),
    ),
    (
        "report_extend_decision",
        lambda w, t: services_intake.report_extend_decision(
            report=t["received"],
            actor=_eksjo(w, Role.INTAKE),
            until=datetime.date(2026, 12, 31),
            reason=ExtensionReason.OTHER_EXCEPTIONAL,
            description="Skäl.",
            decided_by="Chef",
        ),
    ),
    (
        "report_decide",
        lambda w, t: services_intake.report_decide(
            report=t["received"],
            actor=_eksjo(w, Role.INTAKE),
            decision=Decision.OPENED,
            delegation_point="Delegationsordning IFO punkt 3.1",
        ),
    ),
    (
        "report_give_feedback (the author)",
        lambda w, t: services_intake.report_give_feedback(
            report=t["decided"], actor=w.user(Role.REPORTER), feedback=Feedback.OPENED
        ),
    ),
    (
        "report_close",
        lambda w, t: services_intake.report_close(
            report=t["decided"], actor=_eksjo(w, Role.INTAKE)
        ),
    ),
    (
        "report_assign",
        lambda w, t: services_intake.report_assign(
            report=t["received"],
            actor=_eksjo(w, Role.INTAKE),
            assignee=_eksjo(w, Role.INTAKE),
            expected_owner_id=None,
        ),
    ),
    (
        "report_assign (a teacher assigns the intake)",
        lambda w, t: services_intake.report_assign(
            report=t["received"],
            actor=w.user(Role.REPORTER),
            assignee=w.user(Role.INTAKE),
            expected_owner_id=None,
        ),
    ),
    (
        "report_record_feedback_request",
        lambda w, t: services_intake.report_record_feedback_request(
            report=t["decided"], actor=_eksjo(w, Role.INTAKE)
        ),
    ),
    (
        "report_register for another municipality",
        lambda w, _t: services_registration.report_register(
            actor=_eksjo(w, Role.INTAKE),
            municipality=w.municipality(),
            reporter=services_registration.Reporter(source=ReportSource.PUBLIC, anonymous=True),
            concern=services_registration.ReportedConcern(
                what_happened="Oro.", acute_danger=False, categories=("neglect",)
            ),
            received_via=ReceivedVia.PHONE,
            arrived_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1),
            submission_key=uuid.uuid4(),
        ),
    ),
    (
        "report_register (a teacher)",
        lambda w, _t: services_registration.report_register(
            actor=w.user(Role.REPORTER),
            municipality=w.municipality(),
            reporter=services_registration.Reporter(source=ReportSource.PUBLIC, anonymous=True),
            concern=services_registration.ReportedConcern(
                what_happened="Oro.", acute_danger=False, categories=("neglect",)
            ),
            received_via=ReceivedVia.PHONE,
            arrived_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1),
            submission_key=uuid.uuid4(),
        ),
    ),
    (
        "report_confirm_in_writing",
        lambda w, t: services_registration.report_confirm_in_writing(
            report=t["received"],
            actor=_eksjo(w, Role.INTAKE),
            confirmed_on=datetime.date(2026, 3, 2),
        ),
    ),
    (
        "deadline_settings_update",
        lambda w, _t: services_intake.deadline_settings_update(
            actor=_eksjo(w, Role.MUNICIPAL_ADMIN),
            municipality=w.municipality(),
            protection_late_hour=None,
            decision_days=10,
            feedback_days=None,
        ),
    ),
    # --- governance: Eksjö's coordinator, or a teacher -------------------------------------------
    (
        "document_create",
        lambda w, _t: governance_services.document_create(
            actor=_eksjo(w, Role.COORDINATOR),
            municipality=w.municipality(),
            kind="routine",
            title="Falsk rutin",
            owner_unit=w.unit(UnitKind.MUNICIPAL_OFFICE),
        ),
    ),
    (
        "version_add (a teacher)",
        lambda w, t: governance_services.version_add(
            actor=w.user(Role.REPORTER), document=t["document"], text="<p>Ny text.</p>"
        ),
    ),
    (
        "goal_add",
        lambda w, t: governance_services.goal_add(
            actor=_eksjo(w, Role.COORDINATOR), document=t["document"], text="Mål."
        ),
    ),
    (
        "goal_delete",
        lambda w, t: governance_services.goal_delete(actor=_eksjo(w, Role.MANAGER), goal=t["goal"]),
    ),
    (
        "read_confirm (another municipality's staff)",
        lambda w, t: governance_services.read_confirm(
            user=_eksjo(w, Role.REPORTER), version=t["version"]
        ),
    ),
    # --- the board report: Eksjö's coordinator, or Leksand's board, auditors and managers ----
    (
        "board_report_create_draft for another municipality",
        lambda w, _t: board_services.board_report_create_draft(
            actor=_eksjo(w, Role.COORDINATOR),
            municipality=w.municipality(),
            period=year_period(2024),
        ),
    ),
    (
        "board_report_create_draft (a board member)",
        lambda w, _t: board_services.board_report_create_draft(
            actor=w.user(Role.BOARD_MEMBER), municipality=w.municipality(), period=year_period(2024)
        ),
    ),
    (
        "board_report_comment_add",
        lambda w, t: board_services.board_report_comment_add(
            actor=_eksjo(w, Role.COORDINATOR), report=t["board_report"], section=1, text="Text"
        ),
    ),
    (
        "board_report_regenerate (a manager)",
        lambda w, t: board_services.board_report_regenerate(
            actor=w.user(Role.MANAGER), report=t["board_report"]
        ),
    ),
    (
        "board_report_publish (a board member)",
        lambda w, t: board_services.board_report_publish(
            actor=w.user(Role.BOARD_MEMBER), report=t["board_report"]
        ),
    ),
    (
        "board_report_pdf_remake (another municipality's coordinator)",
        lambda w, t: board_services.board_report_pdf_remake(
            actor=_eksjo(w, Role.COORDINATOR), report=t["board_report"]
        ),
    ),
    (
        "board_report_pdf_remake (a board member)",
        lambda w, t: board_services.board_report_pdf_remake(
            actor=w.user(Role.BOARD_MEMBER), report=t["board_report"]
        ),
    ),
    # --- the annual wheel: Eksjö's coordinator, or a teacher --------------------------------------
    (
        "series_create",
        lambda w, _t: wheel_services.series_create(
            actor=_eksjo(w, Role.COORDINATOR),
            municipality=w.municipality(),
            data=series_builders.series_data(w),
        ),
    ),
    (
        "series_update",
        lambda w, t: wheel_services.series_update(
            series=t["series"],
            actor=w.user(Role.REPORTER),
            data=series_builders.series_data(w),
        ),
    ),
    (
        "action_add",
        lambda w, t: wheel_services.action_add(
            occurrence=t["occurrence"],
            actor=_eksjo(w, Role.COORDINATOR),
            data=wheel_services.ActionData(what="Något", owner="Någon", due_on=None),
        ),
    ),
    (
        "calendar_feed_revoke (someone else's feed)",
        lambda w, t: feeds.calendar_feed_revoke(actor=w.user(Role.MUNICIPAL_ADMIN), feed=t["feed"]),
    ),
    # --- audits: Eksjö's auditor or coordinator, or a role without the right ------------------
    (
        "audit_create",
        lambda w, _t: audit_services.audit_create(
            actor=_eksjo(w, Role.AUDITOR),
            municipality=w.municipality(),
            title="Falsk granskning",
            year=2022,
            kind="letter",
        ),
    ),
    (
        "audit_update (a coordinator)",
        lambda w, t: audit_services.audit_update(
            actor=w.user(Role.COORDINATOR), audit=t["audit"], title="X", year=2022, kind="letter"
        ),
    ),
    (
        "audit question_add",
        lambda w, t: audit_services.question_add(
            actor=_eksjo(w, Role.AUDITOR), audit=t["audit"], number=2, text="X"
        ),
    ),
    (
        "audit question_update (a board member)",
        lambda w, t: audit_services.question_update(
            actor=w.user(Role.BOARD_MEMBER), question=t["audit_question"], number=1, text="X"
        ),
    ),
    (
        "recommendation_add",
        lambda w, t: audit_services.recommendation_add(
            actor=_eksjo(w, Role.AUDITOR), audit=t["audit"], number=2, text="X"
        ),
    ),
    (
        "recommendation_update (a manager)",
        lambda w, t: audit_services.recommendation_update(
            actor=w.user(Role.MANAGER), recommendation=t["audit_recommendation"], number=1, text="X"
        ),
    ),
    (
        "response_record (an auditor)",
        lambda w, t: audit_services.response_record(
            actor=w.user(Role.AUDITOR),
            audit=t["audit"],
            text="X",
            decision_body="KS",
            decision_reference="KS 1",
            decided_on=datetime.date(2022, 3, 10),
        ),
    ),
    (
        "audit measure_add",
        lambda w, t: audit_services.measure_add(
            actor=_eksjo(w, Role.COORDINATOR),
            recommendation=t["audit_recommendation"],
            what="X",
            owner="Y",
        ),
    ),
    (
        "audit measure_update",
        lambda w, t: audit_services.measure_update(
            actor=_eksjo(w, Role.MANAGER), measure=t["audit_measure"], what="X", owner="Y"
        ),
    ),
    (
        "audit evidence_add (a board member)",
        lambda w, t: audit_services.evidence_add(
            actor=w.user(Role.BOARD_MEMBER),
            audit=t["audit"],
            measure=t["audit_measure"],
            kind="reference",
            description="X",
            reference="Y",
        ),
    ),
    (
        "round_create",
        lambda w, t: audit_services.round_create(
            actor=_eksjo(w, Role.AUDITOR),
            audit=t["audit"],
            title="X",
            held_on=datetime.date(2023, 1, 27),
        ),
    ),
    (
        "round_update",
        lambda w, t: audit_services.round_update(
            actor=_eksjo(w, Role.AUDITOR),
            round_=t["audit_round"],
            title="X",
            held_on=datetime.date(2023, 1, 27),
        ),
    ),
    (
        "round_assess (a coordinator)",
        lambda w, t: audit_services.round_assess(
            actor=w.user(Role.COORDINATOR),
            round_=t["audit_round"],
            recommendation=t["audit_recommendation"],
            implementation="implemented",
        ),
    ),
    (
        "round_question_assess",
        lambda w, t: audit_services.round_question_assess(
            actor=_eksjo(w, Role.AUDITOR),
            round_=t["audit_round"],
            question=t["audit_question"],
            current_state="X",
        ),
    ),
    (
        "round_finish",
        lambda w, t: audit_services.round_finish(
            actor=_eksjo(w, Role.AUDITOR), round_=t["audit_round"]
        ),
    ),
    (
        "report_pdf_request (a board member)",
        lambda w, t: audit_services.report_pdf_request(
            actor=w.user(Role.BOARD_MEMBER), round_=t["audit_round"]
        ),
    ),
    # --- the log review: Eksjö's admin ---
    (
        "log_sample_create",
        lambda w, _t: access_services.log_sample_create(
            actor=_eksjo(w, Role.MUNICIPAL_ADMIN),
            municipality=w.municipality(),
            month=datetime.date(2026, 1, 1),
        ),
    ),
    # --- the organisation: Eksjö's admin, or a coordinator ---------------------------------------
    (
        "unit_create",
        lambda w, _t: organisation_services.unit_create(
            actor=_eksjo(w, Role.MUNICIPAL_ADMIN),
            municipality=w.municipality(),
            name="Falsk enhet",
            kind=UnitKind.SCHOOL,
        ),
    ),
    (
        "unit_update (a coordinator)",
        lambda w, _t: organisation_services.unit_update(
            actor=w.user(Role.COORDINATOR), unit=w.unit(UnitKind.SCHOOL), name="Nytt namn"
        ),
    ),
    (
        "membership_create",
        lambda w, _t: organisation_services.membership_create(
            actor=_eksjo(w, Role.MUNICIPAL_ADMIN),
            user=_eksjo(w, Role.MUNICIPAL_ADMIN),
            unit=w.unit(UnitKind.INTAKE),
            role=Role.INTAKE,
        ),
    ),
    (
        "membership_end",
        lambda w, _t: organisation_services.membership_end(
            actor=_eksjo(w, Role.MUNICIPAL_ADMIN),
            membership=w.user(Role.INTAKE).memberships.get(),
        ),
    ),
    (
        "user_update",
        lambda w, _t: organisation_services.user_update(
            actor=_eksjo(w, Role.MUNICIPAL_ADMIN),
            municipality=w.municipality(),
            user=w.user(Role.INTAKE),
            email="ny@example.org",
        ),
    ),
    (
        "user_sessions_end",
        lambda w, _t: organisation_services.user_sessions_end(
            actor=_eksjo(w, Role.MUNICIPAL_ADMIN), user=w.user(Role.INTAKE)
        ),
    ),
    (
        "term_update (a teacher)",
        lambda w, t: organisation_services.term_update(
            actor=w.user(Role.REPORTER), term=t["term"], ends_on=datetime.date(2030, 12, 21)
        ),
    ),
    (
        "comparison_consent_set with a coordinator's permit",
        lambda w, _t: followup_services.comparison_consent_set(
            permit=followup_policy.require(
                w.user(Role.COORDINATOR), MANAGE_TARGETS, w.municipality()
            ),
            actor=w.user(Role.COORDINATOR),
            named=True,
        ),
    ),
    (
        "comparison_consent_set by another municipality's admin",
        lambda w, _t: followup_services.comparison_consent_set(
            permit=followup_policy.require(
                _eksjo(w, Role.MUNICIPAL_ADMIN), MANAGE_COMPARISON, w.municipality()
            ),
            actor=_eksjo(w, Role.MUNICIPAL_ADMIN),
            named=True,
        ),
    ),
    (
        "term_delete",
        lambda w, t: organisation_services.term_delete(
            actor=_eksjo(w, Role.COORDINATOR), term=t["term"]
        ),
    ),
    (
        "school_break_create",
        lambda w, _t: services_breaks.school_break_create(
            actor=_eksjo(w, Role.MUNICIPAL_ADMIN),
            municipality=w.municipality(),
            kind=BreakKind.WINTER,
            starts_on=datetime.date(2031, 2, 24),
            ends_on=datetime.date(2031, 2, 28),
        ),
    ),
    (
        "school_break_update (a teacher)",
        lambda w, t: services_breaks.school_break_update(
            actor=w.user(Role.REPORTER), school_break=t["school_break"], name="Lov"
        ),
    ),
    (
        "school_break_delete",
        lambda w, t: services_breaks.school_break_delete(
            actor=_eksjo(w, Role.COORDINATOR), school_break=t["school_break"]
        ),
    ),
    # --- the numbers school staff call: Eksjö's admin, or Leksand's coordinator ------------------
    (
        "municipality_contacts_update",
        lambda w, _t: services_contacts.municipality_contacts_update(
            actor=_eksjo(w, Role.MUNICIPAL_ADMIN),
            municipality=w.municipality(),
            values=ContactValues(intake_phone="0247-802 00", intake_hours="Vardagar 8–16"),
            expected_version=0,
        ),
    ),
    (
        "municipality_contacts_update (a coordinator)",
        lambda w, _t: services_contacts.municipality_contacts_update(
            actor=w.user(Role.COORDINATOR),
            municipality=w.municipality(),
            values=ContactValues(intake_phone="0247-802 00", intake_hours="Vardagar 8–16"),
            expected_version=0,
        ),
    ),
]


@pytest.mark.parametrize("call", [call for _name, call in CALLS], ids=[n for n, _c in CALLS])
def test_an_outsiders_call_is_refused_and_changes_nothing(world, things, call):
    events = AuditEvent.objects.count()
    with pytest.raises(NotPermitted):
        call(world, things)
    assert AuditEvent.objects.count() == events
