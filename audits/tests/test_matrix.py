"""Who may open each page: the municipality's auditors, coordinators, managers and board
members read; auditors edit audits, questions, recommendations and rounds; coordinators and
managers record responses, measures and evidence. Everyone else — the other municipality's
users above all — gets the same 404 as for an audit that does not exist; anonymous visitors
go to the login."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits import services
from audits.models import EvidenceKind
from audits.tests import builders
from organisations.models import Role
from tests.matrix import LOGIN, assert_matrix, everyone_else

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def things(world, django_capture_on_commit_callbacks):
    audit = builders.audit(world)
    auditor, coordinator = world.user(Role.AUDITOR), world.user(Role.COORDINATOR)
    question = services.question_add(actor=auditor, audit=audit, number=1, text="Fråga")
    recommendation = builders.recommendation(world, audit)
    measure = builders.measure(world, recommendation)
    evidence = services.evidence_add(
        actor=coordinator,
        audit=audit,
        measure=measure,
        kind=EvidenceKind.FILE,
        description="Protokoll",
        upload=SimpleUploadedFile("protokoll.pdf", PDF, content_type="application/pdf"),
    )
    round_ = services.round_create(
        actor=auditor, audit=audit, title="Uppföljning", held_on=datetime.date(2023, 1, 27)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_pdf_request(actor=auditor, round_=round_)  # made at once in tests
    round_.refresh_from_db()
    assert round_.pdf_state == "ready"
    return {
        "audit": audit,
        "question": question,
        "recommendation": recommendation,
        "measure": measure,
        "evidence": evidence,
        "round": round_,
    }


def _users(world, roles, places=("leksand",)):
    return [world.user(role, place) for role in roles for place in places]


READERS = (Role.AUDITOR, Role.COORDINATOR, Role.MANAGER, Role.BOARD_MEMBER)
RESPONDERS = (Role.COORDINATOR, Role.MANAGER)


def _expect(world, allowed, ok=200):
    """The allowed users get ``ok``; everyone else a 404; anonymous visitors the login."""
    expectations = [(user, ok) for user in allowed]
    expectations += [(user, 404) for user in everyone_else(world, allowed)]
    expectations.append((None, LOGIN))
    return expectations


def _read_urls(t):
    a, r = t["audit"].pk, t["round"].pk
    return [
        reverse("audits:audit_detail", args=[a]),
        reverse("audits:evidence_file", args=[a, t["evidence"].pk]),
        reverse("audits:round_detail", args=[a, r]),
        reverse("audits:report", args=[a, r]),
        reverse("audits:report_pdf_status", args=[a, r]),
        reverse("audits:report_pdf", args=[a, r]),
    ]


def _edit_urls(t):
    a, r = t["audit"].pk, t["round"].pk
    q, rec = t["question"].pk, t["recommendation"].pk
    return [
        reverse("audits:audit_edit", args=[a]),
        reverse("audits:question_add", args=[a]),
        reverse("audits:question_edit", args=[a, q]),
        reverse("audits:recommendation_add", args=[a]),
        reverse("audits:recommendation_edit", args=[a, rec]),
        reverse("audits:round_create", args=[a]),
        reverse("audits:round_edit", args=[a, r]),
        reverse("audits:round_assess", args=[a, r, rec]),
        reverse("audits:round_question", args=[a, r, q]),
        reverse("audits:round_finish", args=[a, r]),
    ]


def _respond_urls(t):
    a, rec, m = t["audit"].pk, t["recommendation"].pk, t["measure"].pk
    return [
        reverse("audits:response_add", args=[a]),
        reverse("audits:measure_add", args=[a, rec]),
        reverse("audits:measure_edit", args=[a, m]),
        reverse("audits:recommendation_evidence_add", args=[a, rec]),
        reverse("audits:measure_evidence_add", args=[a, m]),
    ]


def test_the_list_for_readers_of_any_municipality(client, world):
    allowed = _users(world, READERS, ("leksand", "eksjo"))
    assert_matrix(client, reverse("audits:audit_list"), _expect(world, allowed))


def test_recording_an_audit_for_auditors(client, world):
    allowed = _users(world, (Role.AUDITOR,), ("leksand", "eksjo"))
    assert_matrix(client, reverse("audits:audit_create"), _expect(world, allowed))


def test_reading_pages(client, world, things):
    for url in _read_urls(things):
        assert_matrix(client, url, _expect(world, _users(world, READERS)))


def test_auditors_pages(client, world, things):
    for url in _edit_urls(things):
        assert_matrix(client, url, _expect(world, _users(world, (Role.AUDITOR,))))


def test_coordinators_and_managers_pages(client, world, things):
    for url in _respond_urls(things):
        assert_matrix(client, url, _expect(world, _users(world, RESPONDERS)))


def test_asking_for_the_pdf_is_the_auditors(client, world, things):
    url = reverse("audits:report_pdf_request", args=[things["audit"].pk, things["round"].pk])
    expectations = _expect(world, _users(world, (Role.AUDITOR,)), ok=302)
    assert_matrix(client, url, expectations, method="post")


def test_finished_round_has_no_forms(client, world, things):
    services.round_finish(actor=world.user(Role.AUDITOR), round_=things["round"])
    a, r = things["audit"].pk, things["round"].pk
    rec, q = things["recommendation"].pk, things["question"].pk
    for url in (
        reverse("audits:round_edit", args=[a, r]),
        reverse("audits:round_assess", args=[a, r, rec]),
        reverse("audits:round_question", args=[a, r, q]),
        reverse("audits:round_finish", args=[a, r]),
    ):
        assert_matrix(client, url, [(world.user(Role.AUDITOR), 404)])
