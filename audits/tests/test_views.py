"""The pages: the whole workflow through the forms, pinned query counts, the follow-up report
and its PDF, the start page and the menu."""

import datetime
import io
import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from access.models import AccessLog
from audits import services, tasks
from audits.attention import overdue_attention
from audits.models import (
    Audit,
    AuditMeasure,
    AuditQuestion,
    FollowUpRound,
    Implementation,
    Recommendation,
    Response,
)
from audits.tests import builders
from organisations.models import Role
from organisations.selectors import memberships_of

TODAY = datetime.date(2026, 12, 5)


def _post(client, user, url, data, follow=False):
    client.force_login(user)
    return client.post(url, data, follow=follow)


def _key():
    return str(uuid.uuid4())


def test_the_workflow_from_letter_to_follow_up_report(
    client, world, django_capture_on_commit_callbacks
):
    auditor, coordinator = world.user(Role.AUDITOR), world.user(Role.COORDINATOR)
    response = _post(
        client,
        auditor,
        reverse("audits:audit_create"),
        {
            "title": "Granskning av samverkan",
            "kind": "letter",
            "year": "2022",
            "auditors": "KomRedo",
            "committees": "Kommunstyrelsen",
            "submission_key": _key(),
        },
    )
    audit = Audit.objects.get()
    assert response["Location"] == reverse("audits:audit_detail", args=[audit.pk])
    _post(
        client,
        auditor,
        reverse("audits:question_add", args=[audit.pk]),
        {"number": "1", "text": "Styr kommunstyrelsen?", "assessment": "partly"},
    )
    question = AuditQuestion.objects.get()
    _post(
        client,
        auditor,
        reverse("audits:recommendation_add", args=[audit.pk]),
        {
            "number": "1",
            "text": "Skapa ett resurssamråd.",
            "question": str(question.pk),
            "response_due": "2022-03-24",
        },
    )
    recommendation = Recommendation.objects.get()
    _post(
        client,
        coordinator,
        reverse("audits:response_add", args=[audit.pk]),
        {
            "recommendation": str(recommendation.pk),
            "text": "Ett resurssamråd startas.",
            "decision_body": "Kommunstyrelsen",
            "decision_reference": "KS 2022-03-10 § 45",
            "decided_on": "2022-03-10",
            "submission_key": _key(),
        },
    )
    _post(
        client,
        coordinator,
        reverse("audits:measure_add", args=[audit.pk, recommendation.pk]),
        {"what": "Resurssamråd", "owner": "Samordnaren", "status": "ongoing"},
    )
    assert Response.objects.count() == AuditMeasure.objects.count() == 1
    _post(
        client,
        auditor,
        reverse("audits:round_create", args=[audit.pk]),
        {"title": "Uppföljning 2023", "held_on": "2023-01-27", "summary": "Bör följas upp."},
    )
    round_ = FollowUpRound.objects.get()
    _post(
        client,
        auditor,
        reverse("audits:round_assess", args=[audit.pk, round_.pk, recommendation.pk]),
        {"implementation": "partly", "current_state": "Samrådet har träffats två gånger."},
    )
    _post(
        client,
        auditor,
        reverse("audits:round_question", args=[audit.pk, round_.pk, question.pk]),
        {"current_state": "Styrningen är tydligare.", "assessment": "fulfilled"},
    )
    page = client.get(reverse("audits:report", args=[audit.pk, round_.pk]))
    text = page.content.decode()
    for expected in (
        "Earlier assessment",
        "Partly fulfilled",
        "Skapa ett resurssamråd.",
        "Ett resurssamråd startas.",
        "Samrådet har träffats två gånger.",
        "Recommendation 1: Partly implemented.",
        "Bör följas upp.",
    ):
        assert expected in text, expected
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, auditor, reverse("audits:report_pdf_request", args=[audit.pk, round_.pk]), {})
    round_.refresh_from_db()
    assert round_.pdf_state == "ready"
    # Finishing asks first, then finishes for good.
    finish = reverse("audits:round_finish", args=[audit.pk, round_.pk])
    assert "can not be undone" in client.get(finish).content.decode()
    assert not FollowUpRound.objects.get().is_finished
    client.post(finish)
    assert FollowUpRound.objects.get().is_finished
    assert client.get(finish).status_code == 404


def test_a_form_with_mistakes_keeps_what_was_typed(client, world):
    audit = builders.audit(world)
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        reverse("audits:response_add", args=[audit.pk]),
        {
            "text": "Vårt svar",
            "decision_body": "",
            "decision_reference": "KS 2022-03-10 § 45",
            "decided_on": "24/3",
            "submission_key": _key(),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vårt svar" in html
    assert 'value="KS 2022-03-10 § 45"' in html
    assert "Enter a date as YYYY-MM-DD" in html
    assert not Response.objects.exists()


def test_a_double_submit_through_the_form_makes_one_response(client, world):
    audit = builders.audit(world)
    data = {
        "text": "Svar",
        "decision_body": "Kommunstyrelsen",
        "decision_reference": "KS 2022-03-10 § 45",
        "decided_on": "2022-03-10",
        "submission_key": _key(),
    }
    client.force_login(world.user(Role.COORDINATOR))
    for _ in range(2):
        client.post(reverse("audits:response_add", args=[audit.pk]), data)
    assert Response.objects.count() == 1


def _fill(world, audits=1, recommendations=1):
    for number in range(audits):
        audit = builders.audit(world, title=f"Granskning {number}")
        for index in range(1, recommendations + 1):
            recommendation = builders.recommendation(world, audit, index)
            builders.respond(world, recommendation)
            builders.measure(world, recommendation, datetime.date(2022, 5, 1))
    return audit


def _count_queries(client, url, django_assert_num_queries, expected):
    client.get(url)  # the session's first request checks two-factor once
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


# After the session's first request; the session, the memberships and the unread count come
# from the shared cache.
LIST_QUERIES = 2
DETAIL_QUERIES = 12


@pytest.mark.parametrize("size", [1, 5])
def test_list_page_costs_the_same_for_more_audits(client, world, django_assert_num_queries, size):
    _fill(world, audits=size, recommendations=2)
    client.force_login(world.user(Role.BOARD_MEMBER))
    _count_queries(client, reverse("audits:audit_list"), django_assert_num_queries, LIST_QUERIES)


@pytest.mark.parametrize("size", [1, 6])
def test_detail_page_costs_the_same_for_more_recommendations(
    client, world, django_assert_num_queries, size
):
    audit = _fill(world, recommendations=size)
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("audits:audit_detail", args=[audit.pk])
    _count_queries(client, url, django_assert_num_queries, DETAIL_QUERIES)


def test_the_list_shows_overdue_answers_in_words_and_only_the_own_municipality(client, world):
    audit = builders.audit(world)
    builders.recommendation(world, audit)
    builders.audit(world, place="eksjo", title="Eksjös granskning")
    client.force_login(world.user(Role.AUDITOR))
    html = client.get(reverse("audits:audit_list")).content.decode()
    assert "1 answer overdue" in html
    assert "Eksjös granskning" not in html


def test_detail_says_no_answer_with_the_swedish_date(world):
    audit = builders.audit(world)
    answered = builders.recommendation(world, audit, 1)
    builders.respond(world, answered)
    builders.recommendation(world, audit, 2)
    client = Client(headers={"Accept-Language": "sv"})
    client.force_login(world.user(Role.BOARD_MEMBER))
    html = client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    assert "Svar saknas, sista dag 24\xa0mars\xa02022" in html
    assert "Besvarad KS 2022-03-10 § 45" in html


def _pdf_text(round_):
    reader = PdfReader(io.BytesIO(round_.pdf.read()))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_the_pdf_has_the_headings_the_words_and_swedish_letters(
    world, django_capture_on_commit_callbacks
):
    auditor = world.user(Role.AUDITOR)
    audit = builders.audit(world, title="Kvalitet i samverkan mellan IFO och skolan")
    question = services.question_add(
        actor=auditor, audit=audit, number=1, text="Sker återkoppling?", assessment="not_fulfilled"
    )
    recommendation = services.recommendation_add(
        actor=auditor, audit=audit, number=1, text="Följ upp samverkan.", question=question
    )
    round_ = services.round_create(
        actor=auditor, audit=audit, title="Uppföljning", held_on=datetime.date(2023, 1, 27)
    )
    services.round_assess(
        actor=auditor,
        round_=round_,
        recommendation=recommendation,
        implementation=Implementation.NOT_IMPLEMENTED,
        current_state="Ingen återrapportering till kommunstyrelsen.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_pdf_request(actor=auditor, round_=round_)
    round_.refresh_from_db()
    text, pages = _pdf_text(round_)
    squashed = re.sub(r"\s+", " ", text)
    for expected in (
        "Uppföljning av Kvalitet i samverkan mellan IFO och skolan",
        "Innehåll",
        "Revisionsfråga 1",
        "Tidigare bedömning",
        "Ej uppfylld",
        "Förslag på åtgärder",
        "Nuläge",
        "Bedömning nu",
        "Ej genomförd",
        "Sammanfattning och rekommendationer",
        "Ingen återrapportering till kommunstyrelsen.",
        "27 jan. 2023",
    ):
        assert expected in squashed, expected
    assert f"Sida 1 av {pages}" in squashed
    assert pages >= 2


def test_start_page_counts_overdue_answers_and_measures(world):
    audit = builders.audit(world)
    recommendation = builders.recommendation(world, audit)
    builders.measure(world, recommendation, datetime.date(2022, 5, 1))
    for role in (Role.AUDITOR, Role.COORDINATOR, Role.BOARD_MEMBER):
        user = world.user(role)
        items = overdue_attention(user, memberships_of(user), today=TODAY)
        assert [str(item.text) for item in items] == [
            "Leksand: 1 audit recommendation has not been answered by its due date.",
            "Leksand: 1 measure after an audit is overdue.",
        ]
    eksjo = world.user(Role.AUDITOR, "eksjo")
    assert overdue_attention(eksjo, memberships_of(eksjo), today=TODAY) == []


def test_the_menu_entry_for_the_four_roles(client, world):
    for role, shown in (
        (Role.AUDITOR, True),
        (Role.MANAGER, True),
        (Role.BOARD_MEMBER, True),
        (Role.PRINCIPAL, False),
    ):
        client.force_login(world.user(role))
        html = client.get(reverse("core:start")).content.decode()
        assert (f'href="{reverse("audits:audit_list")}"' in html) is shown, role


def _round(world):
    auditor = world.user(Role.AUDITOR)
    audit = builders.audit(world)
    return services.round_create(
        actor=auditor, audit=audit, title="Uppföljning", held_on=datetime.date(2023, 1, 27)
    )


def test_while_the_pdf_is_prepared_the_page_asks_again_and_then_links_it(client, world):
    round_ = _round(world)
    # Enqueued but not yet run (no on-commit in this test): the state is "requested".
    services.report_pdf_request(actor=world.user(Role.AUDITOR), round_=round_)
    client.force_login(world.user(Role.BOARD_MEMBER))
    status_url = reverse("audits:report_pdf_status", args=[round_.audit_id, round_.pk])
    html = client.get(reverse("audits:report", args=[round_.audit_id, round_.pk])).content.decode()
    assert f'hx-get="{status_url}"' in html
    assert 'hx-trigger="every 2s"' in html
    # No inline script in the page (CSP): only the site's own script files.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html.split("<main", 1)[1])
    tasks.render_followup_report.call(round_.pk)
    fragment = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in fragment  # it stops asking
    assert reverse("audits:report_pdf", args=[round_.audit_id, round_.pk]) in fragment
    # A board member may download it, not make it again.
    assert "<form" not in fragment


def test_a_failed_pdf_says_so_and_may_be_tried_again(client, world, monkeypatch):
    round_ = _round(world)

    def broken(*_args, **_kwargs):
        raise RuntimeError("Pango is missing")

    monkeypatch.setattr(tasks, "render_pdf", broken)
    tasks.render_followup_report.call(round_.pk)
    round_.refresh_from_db()
    assert round_.pdf_state == "failed"
    client.force_login(world.user(Role.AUDITOR))
    url = reverse("audits:report_pdf_status", args=[round_.audit_id, round_.pk])
    fragment = client.get(url).content.decode()
    assert "could not be made" in fragment
    assert "Make the PDF" in fragment


def test_a_finished_round_keeps_its_pdf(world, django_capture_on_commit_callbacks):
    round_ = _round(world)
    auditor = world.user(Role.AUDITOR)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_pdf_request(actor=auditor, round_=round_)
        # While the round is open the PDF may be made again.
        services.report_pdf_request(actor=auditor, round_=round_)
    services.round_finish(actor=auditor, round_=round_)
    round_.refresh_from_db()
    name = round_.pdf.name
    with pytest.raises(ValidationError):
        services.report_pdf_request(actor=auditor, round_=round_)
    round_.refresh_from_db()
    assert (round_.pdf.name, round_.pdf_state) == (name, "ready")


def test_reading_audits_writes_no_access_log(client, world):
    audit = builders.audit(world)
    builders.recommendation(world, audit)
    client.force_login(world.user(Role.BOARD_MEMBER))
    client.get(reverse("audits:audit_list"))
    client.get(reverse("audits:audit_detail", args=[audit.pk]))
    assert not AccessLog.objects.exists()
