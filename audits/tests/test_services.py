"""The services: each refuses an outsider (another municipality's user of the right role, or
a role without the right) and changes nothing; each change writes its audit event; a double
submit makes one row; a finished round stays finished and unchanged."""

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from access.models import AuditEvent, AuditEventType
from access.policies import NotPermitted
from audits import services
from audits.models import (
    Audit,
    AuditKind,
    EvidenceKind,
    FollowUpRound,
    Implementation,
    Recommendation,
    Response,
)
from audits.tests import builders
from organisations.models import Role

DAY = datetime.date(2023, 1, 27)


@pytest.fixture
def t(world) -> dict[str, Any]:
    audit = builders.audit(world)
    auditor = world.user(Role.AUDITOR)
    question = services.question_add(actor=auditor, audit=audit, number=1, text="Fråga")
    recommendation = builders.recommendation(world, audit)
    return {
        "audit": audit,
        "question": question,
        "recommendation": recommendation,
        "measure": builders.measure(world, recommendation),
        "round": services.round_create(actor=auditor, audit=audit, title="Runda", held_on=DAY),
    }


def _as(world, role, place="eksjo"):
    return world.user(role, place)


Call = Callable[[Any, Any], object]

# (name, role that is refused, call(things, actor)); each is also tried by the same
# role in the other municipality where that role would be allowed at home.
CALLS: list[tuple[str, str, Call]] = [
    (
        "audit_update",
        Role.COORDINATOR,
        lambda t, a: services.audit_update(
            actor=a, audit=t["audit"], title="X", year=2022, kind=AuditKind.LETTER
        ),
    ),
    (
        "question_add",
        Role.BOARD_MEMBER,
        lambda t, a: services.question_add(actor=a, audit=t["audit"], number=2, text="X"),
    ),
    (
        "question_update",
        Role.MANAGER,
        lambda t, a: services.question_update(actor=a, question=t["question"], number=1, text="X"),
    ),
    (
        "recommendation_add",
        Role.COORDINATOR,
        lambda t, a: services.recommendation_add(actor=a, audit=t["audit"], number=2, text="X"),
    ),
    (
        "recommendation_update",
        Role.PRINCIPAL,
        lambda t, a: services.recommendation_update(
            actor=a, recommendation=t["recommendation"], number=1, text="X"
        ),
    ),
    (
        "response_record",
        Role.AUDITOR,
        lambda t, a: services.response_record(
            actor=a,
            audit=t["audit"],
            text="X",
            decision_body="KS",
            decision_reference="KS 1",
            decided_on=DAY,
        ),
    ),
    (
        "measure_add",
        Role.BOARD_MEMBER,
        lambda t, a: services.measure_add(
            actor=a, recommendation=t["recommendation"], what="X", owner="Y"
        ),
    ),
    (
        "measure_update",
        Role.AUDITOR,
        lambda t, a: services.measure_update(
            actor=a, measure=t["measure"], what="X", owner="Y", status="done"
        ),
    ),
    (
        "evidence_add",
        Role.INTAKE,
        lambda t, a: services.evidence_add(
            actor=a,
            audit=t["audit"],
            measure=t["measure"],
            kind=EvidenceKind.REFERENCE,
            description="X",
            reference="Y",
        ),
    ),
    (
        "round_create",
        Role.COORDINATOR,
        lambda t, a: services.round_create(actor=a, audit=t["audit"], title="X", held_on=DAY),
    ),
    (
        "round_update",
        Role.BOARD_MEMBER,
        lambda t, a: services.round_update(actor=a, round_=t["round"], title="X", held_on=DAY),
    ),
    (
        "round_assess",
        Role.MANAGER,
        lambda t, a: services.round_assess(
            actor=a,
            round_=t["round"],
            recommendation=t["recommendation"],
            implementation=Implementation.IMPLEMENTED,
        ),
    ),
    (
        "round_question_assess",
        Role.COORDINATOR,
        lambda t, a: services.round_question_assess(
            actor=a, round_=t["round"], question=t["question"], current_state="X"
        ),
    ),
    (
        "round_finish",
        Role.COORDINATOR,
        lambda t, a: services.round_finish(actor=a, round_=t["round"]),
    ),
    (
        "report_pdf_request",
        Role.BOARD_MEMBER,
        lambda t, a: services.report_pdf_request(actor=a, round_=t["round"]),
    ),
]
ALLOWED_ROLE = {
    "response_record": Role.COORDINATOR,
    "measure_add": Role.MANAGER,
    "measure_update": Role.COORDINATOR,
    "evidence_add": Role.COORDINATOR,
}


@pytest.mark.parametrize(("name", "wrong_role", "call"), CALLS, ids=[c[0] for c in CALLS])
def test_outsiders_are_refused_and_nothing_is_recorded(world, t, name, wrong_role, call):
    before = AuditEvent.objects.count()
    with pytest.raises(NotPermitted):
        call(t, _as(world, wrong_role, "leksand"))
    right_role = ALLOWED_ROLE.get(name, Role.AUDITOR)
    with pytest.raises(NotPermitted):
        call(t, _as(world, right_role, "eksjo"))
    assert AuditEvent.objects.count() == before


def test_audit_create_only_in_the_auditors_own_municipality(world):
    with pytest.raises(NotPermitted):
        services.audit_create(
            actor=world.user(Role.AUDITOR, "eksjo"),
            municipality=world.municipality("leksand"),
            title="X",
            year=2022,
            kind=AuditKind.REPORT,
        )
    with pytest.raises(NotPermitted):
        services.audit_create(
            actor=world.user(Role.COORDINATOR),
            municipality=world.municipality("leksand"),
            title="X",
            year=2022,
            kind=AuditKind.REPORT,
        )
    assert not Audit.objects.exists()


def _events(event_type):
    return AuditEvent.objects.filter(event_type=event_type)


def test_every_change_is_an_audit_event(world, t):
    auditor, coordinator = world.user(Role.AUDITOR), world.user(Role.COORDINATOR)
    assert _events(AuditEventType.AUDIT_CREATED).count() == 1
    assert _events(AuditEventType.AUDIT_QUESTION_ADDED).count() == 1
    assert _events(AuditEventType.AUDIT_RECOMMENDATION_ADDED).count() == 1
    assert _events(AuditEventType.AUDIT_MEASURE_ADDED).count() == 1
    assert _events(AuditEventType.AUDIT_ROUND_CREATED).count() == 1
    services.recommendation_update(
        actor=auditor,
        recommendation=t["recommendation"],
        number=1,
        text="Ny text",
        response_due=datetime.date(2022, 4, 1),
    )
    event = _events(AuditEventType.AUDIT_RECOMMENDATION_UPDATED).get()
    assert event.old_values == {"text": "Rekommendation 1", "response_due": "2022-03-24"}
    assert event.new_values == {"text": "Ny text", "response_due": "2022-04-01"}
    assert event.actor == auditor
    assert event.municipality == world.municipality()
    builders.respond(world, t["recommendation"])
    services.measure_update(
        actor=coordinator, measure=t["measure"], what="Åtgärd", owner="Samordnaren", status="done"
    )
    assert _events(AuditEventType.AUDIT_RESPONSE_RECORDED).count() == 1
    assert _events(AuditEventType.AUDIT_MEASURE_UPDATED).get().new_values == {"status": "done"}
    services.round_assess(
        actor=auditor,
        round_=t["round"],
        recommendation=t["recommendation"],
        implementation=Implementation.PARTLY,
    )
    services.round_question_assess(
        actor=auditor, round_=t["round"], question=t["question"], current_state="Nuläge"
    )
    services.round_finish(actor=auditor, round_=t["round"])
    for event_type in (
        AuditEventType.AUDIT_ROUND_ASSESSED,
        AuditEventType.AUDIT_ROUND_QUESTION_ASSESSED,
        AuditEventType.AUDIT_ROUND_FINISHED,
    ):
        assert _events(event_type).count() == 1


def test_a_double_submit_makes_one_row(world, t):
    key = uuid.uuid4()
    first, second = (
        services.response_record(
            actor=world.user(Role.COORDINATOR),
            audit=t["audit"],
            recommendation=t["recommendation"],
            text="Svar",
            decision_body="Kommunstyrelsen",
            decision_reference="KS 2022-03-10 § 45",
            decided_on=DAY,
            submission_key=key,
        )
        for _ in range(2)
    )
    assert first.pk == second.pk
    assert Response.objects.count() == 1
    assert _events(AuditEventType.AUDIT_RESPONSE_RECORDED).count() == 1


def test_a_finished_round_can_not_be_changed(world, t):
    auditor = world.user(Role.AUDITOR)
    finished = services.round_finish(actor=auditor, round_=t["round"])
    at = finished.finished_at
    again = services.round_finish(actor=auditor, round_=t["round"])
    assert again.finished_at == at
    assert _events(AuditEventType.AUDIT_ROUND_FINISHED).count() == 1
    round_ = FollowUpRound.objects.get(pk=t["round"].pk)
    with pytest.raises(ValidationError):
        services.round_assess(
            actor=auditor,
            round_=round_,
            recommendation=t["recommendation"],
            implementation=Implementation.IMPLEMENTED,
        )
    with pytest.raises(ValidationError):
        services.round_update(actor=auditor, round_=round_, title="Ny", held_on=DAY)
    assert not round_.assessments.exists()
    assert FollowUpRound.objects.get(pk=round_.pk).title == "Runda"


def test_errors_name_their_fields(world, t):
    with pytest.raises(ValidationError) as caught:
        services.response_record(
            actor=world.user(Role.COORDINATOR),
            audit=t["audit"],
            text=" ",
            decision_body="",
            decision_reference="",
            decided_on=DAY,
        )
    assert set(caught.value.message_dict) == {"text", "decision_body", "decision_reference"}
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(
            actor=world.user(Role.COORDINATOR),
            audit=t["audit"],
            measure=t["measure"],
            kind=EvidenceKind.FILE,
            description="Fil",
            upload=SimpleUploadedFile("x.pdf", b"not a pdf", content_type="application/pdf"),
        )
    assert "file" in caught.value.message_dict


def test_a_recommendation_of_another_audit_is_refused(world, t):
    other = builders.audit(world, title="Annan")
    with pytest.raises(ValidationError):
        services.round_assess(
            actor=world.user(Role.AUDITOR),
            round_=t["round"],
            recommendation=builders.recommendation(world, other),
            implementation=Implementation.IMPLEMENTED,
        )
    assert Recommendation.objects.count() == 2
