"""The pages at work: creating a document and its versions, forms that keep what was typed,
the diff, the read confirmation, the read shares, and the fixed query count of the list."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import DocumentKind, GovernanceDocument, MeasureStatus, ReadConfirmation
from governance.tests import builders
from organisations.models import Role, UnitKind

PDF = b"%PDF-1.4\n%%EOF\n"
TODAY = timezone.localdate


def _body(response):
    return response.content.decode()


def test_a_coordinator_creates_a_document_and_its_first_version(client, world):
    coordinator = world.user(Role.COORDINATOR)
    client.force_login(coordinator)
    office = world.unit(UnitKind.MUNICIPAL_OFFICE)
    intake = world.unit(UnitKind.INTAKE)
    response = client.post(
        reverse("governance:document_create"),
        {
            "kind": DocumentKind.ROUTINE,
            "title": "Samverkansrutin skola – socialtjänst",
            "owner_unit": office.pk,
            "owner_person": coordinator.pk,
            "parties": [office.pk, intake.pk],
        },
    )
    document = GovernanceDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:version_add", args=[document.pk])
    assert document.municipality == world.municipality()
    assert set(document.parties.all()) == {office, intake}

    response = client.post(
        reverse("governance:version_add", args=[document.pk]),
        {
            "text": "Syfte\n\nAlla anmälningar får återkoppling.",
            "approving_body": "Kommunstyrelsen",
            "approval_reference": "KS 2026-03-10 § 45",
            "approved_on": "2026-03-10",
            "valid_from": "2026-04-01",
            "valid_to": "",
            "revision_interval_months": "12",
        },
    )
    assert response.status_code == 302
    page = _body(client.get(reverse("governance:document_detail", args=[document.pk])))
    assert "<p>Alla anmälningar får återkoppling.</p>" in page
    assert "KS 2026-03-10 § 45" in page
    assert "March 10, 2027" in page  # the next revision
    assert "I have read the current version" in page


def test_the_document_form_refuses_units_of_another_municipality(client, world):
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        reverse("governance:document_create"),
        {
            "kind": DocumentKind.ROUTINE,
            "title": "Rutin",
            "owner_unit": world.unit(UnitKind.MUNICIPAL_OFFICE, "eksjo").pk,
        },
    )
    assert response.status_code == 200
    assert "Choose one of the listed units." in _body(response)
    assert 'value="Rutin"' in _body(response)
    assert not GovernanceDocument.objects.exists()


def test_the_version_form_keeps_what_was_typed_and_says_what_is_wrong(client, world):
    document = builders.document(world)
    client.force_login(world.user(Role.MANAGER))
    url = reverse("governance:version_add", args=[document.pk])
    response = client.post(
        url,
        {
            "text": "Min text",
            "approval_reference": "KS 2026-03-10 § 45",
            "valid_from": "2026-05-01",
            "valid_to": "2026-04-01",
            "revision_interval_months": "0",
        },
    )
    page = _body(response)
    assert response.status_code == 200
    assert "The last day of validity can not be before the first day." in page
    assert "The revision interval is at least 1 month." in page
    assert "Min text" in page
    assert "KS 2026-03-10 § 45" in page
    assert not document.versions.exists()

    response = client.post(url, {"text": "", "revision_interval_months": "12"})
    assert "Write the text of the version or attach the document as a file." in _body(response)

    bad = SimpleUploadedFile("rutin.exe", b"MZ...", content_type="application/pdf")
    response = client.post(url, {"file": bad, "revision_interval_months": "12"})
    assert "rutin.exe can not be attached." in _body(response)
    assert not document.versions.exists()


def test_a_version_with_a_file_only_and_its_download(client, world):
    document = builders.document(world)
    client.force_login(world.user(Role.COORDINATOR))
    upload = SimpleUploadedFile("Rutin 2026.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("governance:version_add", args=[document.pk]),
        {"file": upload, "approved_on": "2026-01-10", "revision_interval_months": "12"},
    )
    assert response.status_code == 302
    version = document.versions.get()
    assert version.text == ""
    assert version.file_name == "Rutin 2026.pdf"
    client.force_login(world.user(Role.REPORTER))
    response = client.get(reverse("governance:version_file", args=[document.pk, 1]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_version_numbers_follow_each_other_and_the_form_starts_from_the_latest(client, world):
    document = builders.document(world)
    builders.version(world, document, text="<p>Första</p>", approving_body="KS")
    client.force_login(world.user(Role.COORDINATOR))
    page = _body(client.get(reverse("governance:version_add", args=[document.pk])))
    assert "\nFörsta</textarea>" in page  # the text to edit, as plain text
    assert 'value="KS"' in page
    builders.version(world, document, approved_on=None)
    builders.version(world, document)
    assert list(document.versions.values_list("number", flat=True)) == [3, 2, 1]


def test_a_goal_picks_its_indicator_by_name_and_a_bad_choice_is_refused(client, world):
    document = builders.document(world)
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("governance:goal_add", args=[document.pk])
    response = client.post(
        url,
        {
            "text": "Alla får återkoppling",
            "indicator_key": "Återkoppling %",
            "direction": "at_least",
        },
    )
    assert "Choose an indicator from the list, or none." in _body(response)
    assert "Alla får återkoppling" in _body(response)
    # The choice shows the indicators by name, never a key to type.
    assert '<option value="feedback_on_time">Feedback given on time</option>' in _body(response)
    response = client.post(
        url,
        {
            "text": "Alla får återkoppling",
            "indicator_key": "feedback_on_time",
            "target_value": "85",
            "direction": "at_least",
            "target_description": "Andel",
        },
    )
    assert response.status_code == 302
    goal = document.goals.get()
    assert (goal.indicator_key, goal.target_value) == ("feedback_on_time", 85)


def test_deleting_a_goal_asks_first(client, world):
    document = builders.document(world)
    goal = services.goal_add(actor=world.user(Role.COORDINATOR), document=document, text="Mål X")
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("governance:goal_delete", args=[document.pk, goal.pk])
    page = _body(client.get(url))
    assert "Mål X" in page
    assert "for good" in page
    assert document.goals.exists()
    assert client.post(url).status_code == 302
    assert not document.goals.exists()


def test_overdue_measures_are_marked_in_words(client, world):
    document = builders.document(world, kind=DocumentKind.ACTION_PLAN, title="Handlingsplan")
    builders.version(world, document, approved_on=TODAY())
    coordinator = world.user(Role.COORDINATOR)
    services.measure_add(
        actor=coordinator,
        document=document,
        what="Gammal åtgärd",
        owner="Rektor",
        due_on=TODAY() - datetime.timedelta(days=3),
    )
    services.measure_add(
        actor=coordinator,
        document=document,
        what="Klar åtgärd",
        owner="Rektor",
        due_on=TODAY() - datetime.timedelta(days=3),
        status=MeasureStatus.DONE,
    )
    client.force_login(world.user(Role.REPORTER))
    page = _body(client.get(reverse("governance:document_detail", args=[document.pk])))
    assert "1 measure overdue" in page
    assert page.count(">Overdue</span>") == 1
    assert "Change status" not in page  # the teacher only reads


def test_the_diff_shows_removed_and_added_lines_accessibly(client, world):
    document = builders.document(world)
    builders.version(world, document, text="<h2>Syfte</h2><p>Gammal mening.</p><p>Samma.</p>")
    builders.version(world, document, text="<h2>Syfte</h2><p>Ny mening.</p><p>Samma.</p>")
    client.force_login(world.user(Role.AUDITOR))
    page = _body(client.get(reverse("governance:version_diff", args=[document.pk])))
    assert re.search(
        r'<del><span class="visually-hidden">removed: </span>Gammal mening.</del>', page
    )
    assert re.search(r'<ins><span class="visually-hidden">added: </span>Ny mening.</ins>', page)
    assert "1 line removed, 1 line added" in page
    assert "Samma." in page


def test_the_diff_refuses_versions_that_do_not_exist(client, world):
    document = builders.document(world)
    builders.version(world, document)
    builders.version(world, document, text="<p>Två</p>")
    client.force_login(world.user(Role.REPORTER))
    url = reverse("governance:version_diff", args=[document.pk])
    page = _body(client.get(url + "?old=1&new=7"))
    assert "There is no version 7 of this document." in page
    page = _body(client.get(url + "?old=2&new=2"))
    assert "Choose two different versions." in page
    page = _body(client.get(url + "?old=x&new=2"))
    assert "Enter a whole number." in page


def test_reading_is_confirmed_once_and_asked_again_for_a_new_version(client, world):
    document = builders.document(world)
    builders.version(world, document)
    principal = world.user(Role.PRINCIPAL)
    client.force_login(principal)
    detail = reverse("governance:document_detail", args=[document.pk])
    confirm = reverse("governance:read_confirm", args=[document.pk])
    assert "I have read the current version" in _body(client.get(detail))
    response = client.post(confirm, {"version": 1}, follow=True)
    assert "You have confirmed that you have read version 1." in _body(response)
    assert "You confirmed on" in _body(response)
    response = client.post(confirm, {"version": 1}, follow=True)  # a double click
    assert "You had already confirmed this version." in _body(response)
    assert ReadConfirmation.objects.filter(user=principal).count() == 1

    builders.version(world, document, text="<p>Version två</p>")
    assert "I have read the current version" in _body(client.get(detail))
    # A stale form for version 1, posted after version 2 was approved, is refused.
    response = client.post(confirm, {"version": 1}, follow=True)
    assert "A newer version has been approved" in _body(response)
    assert ReadConfirmation.objects.filter(user=principal).count() == 1


def test_the_read_shares_page_shows_the_routine_with_small_numbers_suppressed(client, world):
    document = builders.document(world)
    version = builders.version(world, document)
    services.read_confirm(user=world.user(Role.PRINCIPAL), version=version)
    client.force_login(world.user(Role.MANAGER))
    page = _body(client.get(reverse("governance:read_shares")))
    assert document.title in page
    assert "&lt;5" in page
    assert "7" in page  # seven staff in the municipality: the total is shown


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_costs_the_same_number_of_queries(client, world, count, django_assert_num_queries):
    for index in range(count):
        document = builders.document(world, title=f"Dokument {index}")
        builders.version(world, document, approved_on=TODAY() - datetime.timedelta(days=400))
        services.measure_add(
            actor=world.user(Role.COORDINATOR),
            document=document,
            what="Åtgärd",
            owner="x",
            due_on=TODAY() - datetime.timedelta(days=1),
        )
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("governance:document_list")
    client.get(url)  # the session's first request checks two-factor once
    with django_assert_num_queries(QUERIES):
        response = client.get(url)
    assert _body(response).count("Revision overdue since") == count


# user, documents, versions (the session, the memberships and the unread count: the shared
# cache)
QUERIES = 3


def test_line_breaks_in_the_html_source_are_not_lines_of_the_diff():
    from governance.diff import diff_texts, text_lines

    assert text_lines("<h2>A</h2><p>ett\ntvå</p><ul><li>x</li><li>y<br>z</li></ul>") == [
        "A",
        "ett två",
        "x",
        "y",
        "z",
    ]
    diff = diff_texts("<p>a</p>" * 10 + "<p>gammal</p>", "<p>a</p>" * 10 + "<p>ny</p>")
    assert [(line.kind, line.text, line.folded) for line in diff.lines] == [
        ("folded", "", 8),
        ("same", "a", 0),
        ("same", "a", 0),
        ("removed", "gammal", 0),
        ("added", "ny", 0),
    ]


def test_changing_a_document_keeps_its_person_and_records_what_changed(client, world):
    from access.models import AuditEvent, AuditEventType

    coordinator = world.user(Role.COORDINATOR)
    document = builders.document(world, owner_person=coordinator)
    client.force_login(world.user(Role.MANAGER))
    url = reverse("governance:document_edit", args=[document.pk])
    page = _body(client.get(url))
    assert f'<option value="{coordinator.pk}" selected>' in page
    response = client.post(
        url,
        {
            "kind": DocumentKind.ROUTINE,
            "title": "Ny titel",
            "owner_unit": document.owner_unit_id,
            "owner_person": coordinator.pk,
            "parties": [world.unit(UnitKind.INTAKE).pk],
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.owner_person) == ("Ny titel", coordinator)
    event = AuditEvent.objects.get(event_type=AuditEventType.DOCUMENT_UPDATED)
    assert event.old_values == {"title": "Samverkansrutin", "parties": []}
    assert event.new_values == {"title": "Ny titel", "parties": [world.unit(UnitKind.INTAKE).pk]}
