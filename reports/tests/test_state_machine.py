"""The statutory state machine of a report, through the services: every step from every
status (allowed or refused), the feedback and closing rules, extensions, the stored deadlines,
immutability after submission, double submits, stale drafts, routing, and the audit trail."""

import datetime
import uuid
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from access.models import AuditEvent, AuditEventType
from access.policies import NotPermitted
from organisations.models import Role, UnitKind
from reports import services_common, services_intake, services_school
from reports.deadlines import STOCKHOLM, decision_late_q, decision_was_late, end_of_day
from reports.models import (
    ConcernCategory,
    ConcernReport,
    DeadlineSettings,
    Decision,
    ExtensionReason,
    Feedback,
    GuardiansInformed,
    ReportStatus,
    SubmissionKey,
)
from reports.services_common import FEEDBACK_FOR_DECISION, ConcurrentEditError, TransitionError
from reports.tests.builders import (
    ARRIVAL,
    DELEGATION,
    advance,
    decision_record,
    draft,
    submitted,
)

INTAKE_STEPS = (
    "receive",
    "assess_protection",
    "start_preliminary",
    "extend",
    "decide",
    "record_feedback_request",
    "give_feedback",
    "close",
)
SCHOOL_STEPS = ("edit", "supplement")

# What may be done in each situation: written out by hand, not derived from the code.
ALLOWED: dict[str, set[str]] = {
    "draft": {"edit"},
    "submitted": {"receive", "supplement"},
    "received": {"assess_protection", "extend", "supplement"},
    # A reporter who did not ask for feedback in the report may ask later.
    "received_no_feedback_wanted": {
        "assess_protection",
        "extend",
        "supplement",
        "record_feedback_request",
    },
    "protection_assessed": {"start_preliminary", "extend", "decide", "supplement"},
    "preliminary_assessment": {"extend", "decide", "supplement"},
    # The reporter asked for feedback: it must be given before the report is closed.
    "decided_feedback_wanted": {"give_feedback", "supplement"},
    # Not asked for: it may still be given, and the report may be closed at once.
    "decided_no_feedback_wanted": {
        "give_feedback",
        "close",
        "supplement",
        "record_feedback_request",
    },
    # Forwarded: the receiving municipality decides and gives feedback; close here.
    "decided_forwarded": {"close", "supplement"},
    "feedback_given": {"close", "supplement"},
    "closed": set(),
}


def in_situation(world, situation: str) -> ConcernReport:
    if situation == "draft":
        return draft(world)
    report = submitted(world, wants_feedback="no_feedback" not in situation)
    status = situation.removesuffix("_no_feedback_wanted")
    decision = Decision.OPENED
    if situation.startswith("decided_"):
        status = ReportStatus.DECIDED
        if situation == "decided_forwarded":
            decision = Decision.FORWARDED
    if status == ReportStatus.SUBMITTED:
        return report
    return advance(report, status, intake=world.user(Role.INTAKE), decision=decision)


LATER = ARRIVAL + datetime.timedelta(days=3)

# Each step as a call of its service: (report, the intake) -> None.
STEP_CALLS: dict[str, Any] = {
    "edit": lambda r, _i: services_school.report_draft_update(
        report=r,
        actor=r.author,
        expected_version=r.version,
        values={"what_happened": "Nytt."},
        categories=[ConcernCategory.NEGLECT],
    ),
    "supplement": lambda r, _i: services_school.report_supplement_add(
        report=r, actor=r.author, text="Mer."
    ),
    "receive": lambda r, i: services_intake.report_receive(report=r, actor=i, now=LATER),
    "assess_protection": lambda r, i: services_intake.report_assess_protection(
        report=r,
        actor=i,
        immediate_protection_needed=False,
        justification="Ingen akut fara.",
        now=LATER,
    ),
    "start_preliminary": lambda r, i: services_intake.report_start_preliminary(
        report=r, actor=i, now=LATER
    ),
    "extend": lambda r, i: services_intake.report_extend_decision(
        report=r,
        actor=i,
        until=datetime.date(2026, 4, 30),
        reason=ExtensionReason.AWAITING_INFORMATION,
        description="Väntar på uppgifter från BUP.",
        decided_by="Enhetschef Eva",
    ),
    "decide": lambda r, i: services_intake.report_decide(
        report=r, actor=i, decision=Decision.OPENED, now=LATER, delegation_point=DELEGATION
    ),
    "record_feedback_request": lambda r, i: services_intake.report_record_feedback_request(
        report=r, actor=i, now=LATER
    ),
    "give_feedback": lambda r, i: services_intake.report_give_feedback(
        report=r,
        actor=i,
        feedback=FEEDBACK_FOR_DECISION.get(r.decision, Feedback.OPENED),
        now=LATER,
    ),
    "close": lambda r, i: services_intake.report_close(report=r, actor=i, now=LATER),
}


def run_step(step: str, report: ConcernReport, world) -> None:
    STEP_CALLS[step](report, world.user(Role.INTAKE))


@pytest.mark.parametrize("situation", list(ALLOWED))
def test_allowed_steps_match_the_table(world, situation):
    report = in_situation(world, situation)
    assert services_common.allowed_steps(report) == ALLOWED[situation] & set(INTAKE_STEPS)


@pytest.mark.parametrize("step", INTAKE_STEPS + SCHOOL_STEPS)
@pytest.mark.parametrize("situation", list(ALLOWED))
def test_each_service_refuses_exactly_the_steps_not_allowed(world, situation, step):
    report = in_situation(world, situation)
    before = ConcernReport.objects.get(pk=report.pk)
    if step in ALLOWED[situation]:
        run_step(step, report, world)
        return
    # A draft is not the intake's at all: the policy refuses before the state machine does.
    refusal = NotPermitted if situation == "draft" and step in INTAKE_STEPS else TransitionError
    with pytest.raises(refusal):
        run_step(step, report, world)
    after = ConcernReport.objects.get(pk=report.pk)
    assert (after.status, after.version, after.updated_at) == (
        before.status,
        before.version,
        before.updated_at,
    )


@pytest.mark.parametrize("decision", list(FEEDBACK_FOR_DECISION))
def test_feedback_must_match_the_decision(world, decision):
    report = advance(
        submitted(world), ReportStatus.DECIDED, intake=world.user(Role.INTAKE), decision=decision
    )
    for wrong in set(Feedback.values) - {FEEDBACK_FOR_DECISION[decision]}:
        with pytest.raises(ValidationError) as raised:
            services_intake.report_give_feedback(
                report=report, actor=world.user(Role.INTAKE), feedback=wrong
            )
        assert "feedback" in raised.value.message_dict
    report = services_intake.report_give_feedback(
        report=report, actor=world.user(Role.INTAKE), feedback=FEEDBACK_FOR_DECISION[decision]
    )
    assert report.status == ReportStatus.FEEDBACK_GIVEN
    assert report.feedback == FEEDBACK_FOR_DECISION[decision]


def test_a_forwarded_report_gets_no_feedback_here_and_can_be_closed(world):
    intake = world.user(Role.INTAKE)
    report = advance(submitted(world), ReportStatus.DECIDED, intake=intake, decision="forwarded")
    assert report.forwarded_to == "Rättvik"
    assert report.feedback_due_at is None
    assert report.next_due_at is None
    with pytest.raises(TransitionError):
        services_intake.report_give_feedback(report=report, actor=intake, feedback=Feedback.OPENED)
    assert services_intake.report_close(report=report, actor=intake).status == ReportStatus.CLOSED


def test_forwarding_needs_the_receiving_municipality(world):
    report = advance(submitted(world), "protection_assessed", intake=world.user(Role.INTAKE))
    with pytest.raises(ValidationError) as raised:
        services_intake.report_decide(
            report=report,
            actor=world.user(Role.INTAKE),
            decision=Decision.FORWARDED,
            delegation_point=DELEGATION,
        )
    assert "forwarded_to" in raised.value.message_dict
    with pytest.raises(ValidationError):
        services_intake.report_decide(
            report=report,
            actor=world.user(Role.INTAKE),
            decision="maybe",
            delegation_point=DELEGATION,
        )


def test_without_a_request_for_feedback_the_report_closes_right_after_the_decision(world):
    intake = world.user(Role.INTAKE)
    report = advance(submitted(world, wants_feedback=False), ReportStatus.DECIDED, intake=intake)
    assert report.feedback_due_at is None
    assert report.next_due_at is None
    report = services_intake.report_close(report=report, actor=intake)
    assert report.status == ReportStatus.CLOSED
    assert report.feedback == ""


def test_with_a_request_for_feedback_closing_waits_for_it(world):
    intake = world.user(Role.INTAKE)
    report = advance(submitted(world), ReportStatus.DECIDED, intake=intake)
    with pytest.raises(TransitionError):
        services_intake.report_close(report=report, actor=intake)
    report = services_intake.report_give_feedback(
        report=report, actor=intake, feedback=Feedback.OPENED
    )
    assert services_intake.report_close(report=report, actor=intake).status == ReportStatus.CLOSED


# --- extension --------------------------------------------------------------------------------


def _extend(report, world, **changes):
    values = {
        "report": report,
        "actor": world.user(Role.INTAKE),
        "until": datetime.date(2026, 3, 31),
        "reason": ExtensionReason.PARALLEL_POLICE_INQUIRY,
        "description": "Polisen har bett oss vänta med samtal.",
        "decided_by": "Enhetschef Eva Exempel",
    }
    return services_intake.report_extend_decision(**{**values, **changes})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "workload"}, "reason"),
        ({"decided_by": "  "}, "decided_by"),
        ({"until": datetime.date(2026, 3, 16)}, "until"),  # the current deadline itself
        ({"until": datetime.date(2026, 3, 10)}, "until"),  # earlier
    ],
)
def test_an_extension_needs_a_reason_a_decider_and_a_later_date(world, changes, field):
    report = advance(submitted(world), "received", intake=world.user(Role.INTAKE))
    with pytest.raises(ValidationError) as raised:
        _extend(report, world, **changes)
    assert field in raised.value.message_dict
    report.refresh_from_db()
    assert report.extended_until is None
    assert report.decision_due_at == end_of_day(datetime.date(2026, 3, 16))


# Before the decision deadline of a report that arrived at ARRIVAL (16 March), and after it.
IN_TIME = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=STOCKHOLM)
TOO_LATE = datetime.datetime(2026, 3, 20, 11, 30, tzinfo=STOCKHOLM)


def test_an_extension_moves_the_decision_deadline_and_is_audited(world):
    intake = world.user(Role.INTAKE)
    report = advance(submitted(world), "protection_assessed", intake=intake)
    old_due = report.decision_due_at
    assert old_due is not None
    assert report.next_due_at == old_due

    with time_machine.travel(IN_TIME, tick=False):  # before the deadline of 16 March
        report = _extend(report, world)

    assert report.extended_until == datetime.date(2026, 3, 31)
    assert report.extension_reason == ExtensionReason.PARALLEL_POLICE_INQUIRY
    assert report.extension_decided_by == "Enhetschef Eva Exempel"
    assert report.decision_due_at == end_of_day(datetime.date(2026, 3, 31))
    assert report.next_due_at == report.decision_due_at
    event = AuditEvent.objects.get(
        object_id=str(report.pk), event_type=AuditEventType.REPORT_DECISION_EXTENDED
    )
    assert event.actor == intake
    assert event.new_values["old_due"] == old_due.isoformat()
    assert event.new_values["new_due"] == end_of_day(datetime.date(2026, 3, 31)).isoformat()
    assert event.new_values["reason"] == ExtensionReason.PARALLEL_POLICE_INQUIRY
    assert event.new_values["decided_by"] == "Enhetschef Eva Exempel"
    assert event.new_values["recorded_late"] is False
    # Recorded in time: dated, the statutory deadline kept, nothing missed.
    assert report.extension_recorded_at == IN_TIME
    assert report.decision_due_original_at == old_due
    assert report.decision_missed_due_at is None
    assert not decision_was_late(report, now=IN_TIME)
    # A second extension must go beyond the first.
    with pytest.raises(ValidationError):
        _extend(report, world, until=datetime.date(2026, 3, 31))
    with time_machine.travel(IN_TIME, tick=False):
        again = _extend(report, world, until=datetime.date(2026, 4, 14))
    assert again.decision_due_at == end_of_day(datetime.date(2026, 4, 14))
    assert again.next_due_at == again.decision_due_at


def test_the_statutory_decision_deadline_is_kept_from_arrival(world):
    report = submitted(world)
    assert report.decision_due_original_at == end_of_day(datetime.date(2026, 3, 16))
    assert report.decision_due_original_at == report.decision_due_at


def test_an_extension_recorded_after_the_deadline_keeps_it_missed(world):
    intake = world.user(Role.INTAKE)
    report = advance(submitted(world), "preliminary_assessment", intake=intake)
    missed = end_of_day(datetime.date(2026, 3, 16))
    with time_machine.travel(TOO_LATE, tick=False):
        report = _extend(report, world, until=datetime.date(2026, 4, 14))

    # The new date is recorded, but the deadline that had passed is kept and stays the one
    # the step is measured against: the inbox keeps the report overdue.
    assert report.decision_due_at == end_of_day(datetime.date(2026, 4, 14))
    assert report.decision_due_original_at == missed
    assert report.decision_missed_due_at == missed
    assert report.extension_recorded_at == TOO_LATE
    stored = ConcernReport.objects.get(pk=report.pk)
    assert stored.next_due_at == missed
    assert decision_was_late(stored, now=TOO_LATE)
    event = AuditEvent.objects.get(
        object_id=str(report.pk), event_type=AuditEventType.REPORT_DECISION_EXTENDED
    )
    assert event.new_values["recorded_late"] is True

    # A later extension, in time for the extended date, does not clear the missed deadline.
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, 0, tzinfo=STOCKHOLM), tick=False):
        report = _extend(report, world, until=datetime.date(2026, 4, 28))
    assert report.decision_missed_due_at == missed
    assert report.next_due_at == missed

    # Decided before the extended date: still not decided on time.
    decided_at = datetime.datetime(2026, 4, 20, 14, 0, tzinfo=STOCKHOLM)
    report = services_intake.report_decide(
        report=report,
        actor=intake,
        decision=Decision.NOT_OPENED,
        now=decided_at,
        **decision_record(Decision.NOT_OPENED),
    )
    assert decision_was_late(report, now=decided_at)
    decided = AuditEvent.objects.get(
        object_id=str(report.pk), event_type=AuditEventType.REPORT_DECIDED
    )
    assert decided.new_values["on_time"] is False


def test_a_second_extension_after_the_first_date_passed_is_late_too(world):
    report = advance(submitted(world), "received", intake=world.user(Role.INTAKE))
    with time_machine.travel(IN_TIME, tick=False):
        report = _extend(report, world, until=datetime.date(2026, 3, 31))
    assert report.decision_missed_due_at is None
    with time_machine.travel(datetime.datetime(2026, 4, 2, 9, 0, tzinfo=STOCKHOLM), tick=False):
        report = _extend(report, world, until=datetime.date(2026, 4, 30))
    assert report.decision_missed_due_at == end_of_day(datetime.date(2026, 3, 31))
    assert report.decision_due_original_at == end_of_day(datetime.date(2026, 3, 16))


def test_decision_was_late_and_its_query_say_the_same(world):
    """The one definition of "not decided on time", as a function and as a filter."""
    intake = world.user(Role.INTAKE)
    now = datetime.datetime(2026, 3, 25, 12, 0, tzinfo=STOCKHOLM)
    recent = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=STOCKHOLM)
    pending_in_time = advance(submitted(world, now=recent), "received", intake=intake)
    pending_late = advance(submitted(world), "received", intake=intake)
    decided_in_time = advance(submitted(world), "decided", intake=intake)
    decided_late = services_intake.report_decide(
        report=advance(submitted(world), "preliminary_assessment", intake=intake),
        actor=intake,
        decision=Decision.OPENED,
        now=datetime.datetime(2026, 3, 18, 9, 0, tzinfo=STOCKHOLM),
        delegation_point=DELEGATION,
    )
    extended_in_time = advance(submitted(world), "received", intake=intake)
    extended_late = advance(submitted(world), "received", intake=intake)
    # Only the extensions are recorded at those times (the world's memberships start today).
    with time_machine.travel(IN_TIME, tick=False):
        extended_in_time = _extend(extended_in_time, world)
    with time_machine.travel(TOO_LATE, tick=False):
        extended_late = _extend(extended_late, world)
    expected = {
        pending_in_time.pk: False,
        pending_late.pk: True,
        decided_in_time.pk: False,
        decided_late.pk: True,
        extended_in_time.pk: False,
        extended_late.pk: True,
    }
    reports = ConcernReport.objects.filter(pk__in=expected)
    assert {r.pk: decision_was_late(r, now=now) for r in reports} == expected
    late_ids = set(reports.filter(decision_late_q(now=now)).values_list("pk", flat=True))
    assert late_ids == {pk for pk, late in expected.items() if late}
    draft_only = draft(world)
    assert not decision_was_late(draft_only, now=now)


def test_a_stale_form_can_not_move_an_extended_deadline_back(world):
    report = advance(submitted(world), "received", intake=world.user(Role.INTAKE))
    stale = ConcernReport.objects.get(pk=report.pk)  # opened before the first extension
    _extend(report, world, until=datetime.date(2026, 4, 14))
    with pytest.raises(ValidationError) as raised:
        _extend(stale, world, until=datetime.date(2026, 3, 31))
    assert "until" in raised.value.message_dict
    report.refresh_from_db()
    assert report.extended_until == datetime.date(2026, 4, 14)


# --- deadlines ----------------------------------------------------------------------------------


def test_next_due_follows_each_step(world):
    intake = world.user(Role.INTAKE)
    report = submitted(world)
    protection = end_of_day(datetime.date(2026, 3, 2))
    decision = end_of_day(datetime.date(2026, 3, 16))
    assert (report.protection_due_at, report.decision_due_at) == (protection, decision)
    assert report.feedback_due_at is None
    expected = {
        ReportStatus.SUBMITTED: protection,
        ReportStatus.RECEIVED: protection,
        ReportStatus.PROTECTION_ASSESSED: decision,
        ReportStatus.PRELIMINARY_ASSESSMENT: decision,
        # Decided on 2 March (steps an hour apart): feedback a week later, 9 March.
        ReportStatus.DECIDED: end_of_day(datetime.date(2026, 3, 9)),
        ReportStatus.FEEDBACK_GIVEN: None,
        ReportStatus.CLOSED: None,
    }
    for status, due in expected.items():
        report = advance(report, status, intake=intake)
        stored = ConcernReport.objects.get(pk=report.pk)
        assert stored.next_due_at == due, status
    assert stored.feedback_due_at == end_of_day(datetime.date(2026, 3, 9))


def test_deadlines_use_the_receiving_municipalitys_own_rules(world):
    # Eksjö has its own rules; a Leksand school's report about an Eksjö child follows them.
    DeadlineSettings.objects.create(
        municipality=world.municipality("eksjo"),
        protection_late_hour=9,
        decision_days=10,
        feedback_days=7,
    )
    arrival = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=STOCKHOLM)  # at/after 09: next day
    report = submitted(world, now=arrival, home_municipality=world.municipality("eksjo"))
    assert report.municipality == world.municipality("eksjo")
    assert report.protection_due_at == end_of_day(datetime.date(2026, 3, 3))
    assert report.decision_due_at == end_of_day(datetime.date(2026, 3, 12))
    decided = advance(
        report,
        ReportStatus.DECIDED,
        intake=world.user(Role.INTAKE, "eksjo"),
        now=datetime.datetime(2026, 3, 5, 9, 0, tzinfo=STOCKHOLM),
    )
    assert decided.feedback_due_at == end_of_day(datetime.date(2026, 3, 12))
    # The school's municipality keeps the law's defaults.
    here = submitted(world, now=arrival)
    assert here.protection_due_at == end_of_day(datetime.date(2026, 3, 2))
    assert here.decision_due_at == end_of_day(datetime.date(2026, 3, 16))


def test_deadlines_stored_at_submission_do_not_change_with_new_rules(world):
    report = submitted(world)
    DeadlineSettings.objects.create(municipality=world.municipality(), decision_days=5)
    report.refresh_from_db()
    assert report.decision_due_at == end_of_day(datetime.date(2026, 3, 16))


# --- the school side ----------------------------------------------------------------------------


def test_a_submitted_report_can_not_be_edited(world):
    report = submitted(world)
    with pytest.raises(TransitionError):
        services_school.report_draft_update(
            report=report,
            actor=report.author,
            expected_version=report.version,
            values={"what_happened": "Ändrat i efterhand."},
            categories=[ConcernCategory.OTHER],
        )
    report.refresh_from_db()
    assert report.what_happened == "Eleven berättade om bråk hemma."
    assert list(report.categories.values_list("category", flat=True)) == ["neglect"]


def test_supplements_after_submission_keep_the_report_as_it_arrived(world):
    report = submitted(world)
    supplement = services_school.report_supplement_add(
        report=report, actor=report.author, text="Eleven var frånvarande i dag."
    )
    assert supplement.report == report
    report.refresh_from_db()
    assert report.what_happened == "Eleven berättade om bråk hemma."
    assert AuditEvent.objects.filter(
        object_id=str(report.pk), event_type=AuditEventType.REPORT_SUPPLEMENTED, actor=report.author
    ).exists()


def test_supplements_are_refused_on_drafts_and_closed_reports(world):
    unsent = draft(world)
    with pytest.raises(TransitionError):
        services_school.report_supplement_add(report=unsent, actor=unsent.author, text="Mer.")
    closed = advance(submitted(world), ReportStatus.CLOSED, intake=world.user(Role.INTAKE))
    with pytest.raises(TransitionError):
        services_school.report_supplement_add(report=closed, actor=closed.author, text="Mer.")
    assert not closed.supplements.exists()


def test_a_double_submit_creates_one_report_one_key_and_one_audit_event(world):
    report = draft(world)
    key = uuid.uuid4()
    first = services_school.report_submit(report=report, actor=report.author, submission_key=key)
    # The second click arrives with the form's stale copy of the draft.
    second = services_school.report_submit(report=report, actor=report.author, submission_key=key)
    assert first.pk == second.pk
    assert first.submitted_at == second.submitted_at
    assert SubmissionKey.objects.filter(key=key).count() == 1
    assert (
        AuditEvent.objects.filter(
            object_id=str(report.pk), event_type=AuditEventType.REPORT_SUBMITTED
        ).count()
        == 1
    )
    # Another form's key for the same, now submitted report changes nothing either.
    third = services_school.report_submit(
        report=report, actor=report.author, submission_key=uuid.uuid4()
    )
    assert (third.pk, third.submitted_at) == (first.pk, first.submitted_at)
    assert ConcernReport.objects.count() == 1


def test_a_stale_draft_save_is_refused_and_overwrites_nothing(world):
    report = draft(world)
    stale_version = report.version
    services_school.report_draft_update(
        report=report,
        actor=report.author,
        expected_version=stale_version,
        values={"what_happened": "Sparat i en annan flik."},
        categories=[ConcernCategory.NEGLECT],
    )
    with pytest.raises(ConcurrentEditError):
        services_school.report_draft_update(
            report=report,
            actor=report.author,
            expected_version=stale_version,
            values={"what_happened": "Gammal text."},
            categories=[ConcernCategory.OTHER],
        )
    report.refresh_from_db()
    assert report.what_happened == "Sparat i en annan flik."
    assert report.version == stale_version + 1
    assert list(report.categories.values_list("category", flat=True)) == ["neglect"]


def test_routing_to_a_home_municipality_on_the_installation(world):
    report = submitted(world, home_municipality=world.municipality("eksjo"))
    assert report.municipality == world.municipality("eksjo")
    assert report.school_unit == world.unit(UnitKind.SCHOOL)
    assert not report.needs_forwarding


def test_routing_to_a_municipality_outside_the_installation(world):
    report = submitted(world, home_municipality=None, forward_to_name="Rättvik")
    assert report.municipality == world.municipality("leksand")
    assert report.forward_to_name == "Rättvik"
    assert report.needs_forwarding


def test_a_home_municipality_on_the_installation_clears_a_stale_forwarding_name(world):
    report = submitted(world, home_municipality=world.municipality(), forward_to_name="Rättvik")
    assert report.municipality == world.municipality()
    assert not report.needs_forwarding


def test_a_report_needs_a_home_municipality(world):
    report = draft(world, home_municipality=None)
    with pytest.raises(ValidationError) as raised:
        services_school.report_submit(
            report=report, actor=report.author, submission_key=uuid.uuid4()
        )
    assert "home_municipality" in raised.value.message_dict


@pytest.mark.parametrize(
    "category",
    [
        ConcernCategory.PHYSICAL_VIOLENCE,
        ConcernCategory.PSYCHOLOGICAL_VIOLENCE,
        ConcernCategory.SEXUAL_ABUSE,
        ConcernCategory.WITNESSING_VIOLENCE,
        ConcernCategory.HONOUR_RELATED,
    ],
)
def test_concerns_never_told_to_the_guardians(world, category):
    told = draft(world, categories=[category, ConcernCategory.NEGLECT])
    with pytest.raises(ValidationError) as raised:
        services_school.report_submit(report=told, actor=told.author, submission_key=uuid.uuid4())
    assert "guardians_informed" in raised.value.message_dict

    for answer in ("", GuardiansInformed.NO):
        report = submitted(
            world,
            categories=[category],
            guardians_informed=answer,
            guardians_not_informed_reason="",
        )
        assert report.guardians_informed == GuardiansInformed.NOT_ASKED


def test_other_concerns_need_an_answer_about_the_guardians(world):
    for values, field in (
        ({"guardians_informed": ""}, "guardians_informed"),
        ({"guardians_informed": GuardiansInformed.NO}, "guardians_not_informed_reason"),
    ):
        report = draft(world, **values)
        with pytest.raises(ValidationError) as raised:
            services_school.report_submit(
                report=report, actor=report.author, submission_key=uuid.uuid4()
            )
        assert field in raised.value.message_dict
    report = submitted(
        world,
        guardians_informed=GuardiansInformed.NO,
        guardians_not_informed_reason="Vi kunde inte nå dem.",
    )
    assert report.guardians_informed == GuardiansInformed.NO


# --- the audit trail ----------------------------------------------------------------------------


def test_each_step_is_timestamped_with_who_did_it_and_audited(world):
    teacher, intake = world.user(Role.REPORTER), world.user(Role.INTAKE)
    report = submitted(world)
    times: dict[str, datetime.datetime] = {}
    for status in (
        ReportStatus.RECEIVED,
        ReportStatus.PROTECTION_ASSESSED,
        ReportStatus.PRELIMINARY_ASSESSMENT,
        ReportStatus.DECIDED,
        ReportStatus.FEEDBACK_GIVEN,
        ReportStatus.CLOSED,
    ):
        start = ARRIVAL + datetime.timedelta(hours=len(times))
        report = advance(report, status, intake=intake, now=start)
        times[status] = start + datetime.timedelta(hours=1)  # advance's step is an hour on
    report.refresh_from_db()
    assert (report.submitted_at, report.author) == (ARRIVAL, teacher)
    for at, by, status in (
        ("received_at", "received_by", ReportStatus.RECEIVED),
        ("protection_assessed_at", "protection_assessed_by", ReportStatus.PROTECTION_ASSESSED),
        ("preliminary_started_at", "preliminary_started_by", ReportStatus.PRELIMINARY_ASSESSMENT),
        ("decided_at", "decided_by", ReportStatus.DECIDED),
        ("feedback_given_at", "feedback_given_by", ReportStatus.FEEDBACK_GIVEN),
        ("closed_at", "closed_by", ReportStatus.CLOSED),
    ):
        assert getattr(report, at) == times[status], at
        assert getattr(report, by) == intake, by

    events = AuditEvent.objects.filter(
        object_type="reports.concernreport", object_id=str(report.pk)
    )
    trail = [
        (event.event_type, event.actor, event.new_values["status"], event.municipality_id)
        for event in events.order_by("occurred_at", "id")
    ]
    leksand = world.municipality().pk
    assert trail == [
        (AuditEventType.REPORT_DRAFT_CREATED, teacher, ReportStatus.DRAFT, leksand),
        (AuditEventType.REPORT_SUBMITTED, teacher, ReportStatus.SUBMITTED, leksand),
        (AuditEventType.REPORT_RECEIVED, intake, ReportStatus.RECEIVED, leksand),
        (
            AuditEventType.REPORT_PROTECTION_ASSESSED,
            intake,
            ReportStatus.PROTECTION_ASSESSED,
            leksand,
        ),
        (
            AuditEventType.REPORT_PRELIMINARY_STARTED,
            intake,
            ReportStatus.PRELIMINARY_ASSESSMENT,
            leksand,
        ),
        (AuditEventType.REPORT_DECIDED, intake, ReportStatus.DECIDED, leksand),
        (AuditEventType.REPORT_FEEDBACK_GIVEN, intake, ReportStatus.FEEDBACK_GIVEN, leksand),
        (AuditEventType.REPORT_CLOSED, intake, ReportStatus.CLOSED, leksand),
    ]
    assert all(event.occurred_at is not None for event in events)
    decided = events.get(event_type=AuditEventType.REPORT_DECIDED)
    assert decided.new_values["decision"] == Decision.OPENED
    assert decided.new_values["on_time"] is True
    protection = events.get(event_type=AuditEventType.REPORT_PROTECTION_ASSESSED)
    assert protection.new_values["on_time"] is True
    assert protection.new_values["immediate_protection_needed"] is False


def test_a_late_decision_is_audited_as_late(world):
    intake = world.user(Role.INTAKE)
    report = advance(submitted(world), "preliminary_assessment", intake=intake)
    services_intake.report_decide(
        report=report,
        actor=intake,
        decision=Decision.NOT_OPENED,
        now=datetime.datetime(2026, 3, 20, 9, 0, tzinfo=STOCKHOLM),
        **decision_record(Decision.NOT_OPENED),
    )
    event = AuditEvent.objects.get(
        object_id=str(report.pk), event_type=AuditEventType.REPORT_DECIDED
    )
    assert event.new_values["on_time"] is False


def test_a_protection_assessment_needs_a_justification(world):
    report = advance(submitted(world), "received", intake=world.user(Role.INTAKE))
    with pytest.raises(ValidationError) as raised:
        services_intake.report_assess_protection(
            report=report,
            actor=world.user(Role.INTAKE),
            immediate_protection_needed=True,
            justification="   ",
        )
    assert "justification" in raised.value.message_dict
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED
