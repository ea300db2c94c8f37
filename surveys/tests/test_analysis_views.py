"""The analysis pages at work: a stale save of the analysis shows both versions and keeps what
was typed, removing a free text through its confirmation, sending a priority to the resource
council (and the plain answer when no meeting is planned), and the agenda on the meeting's
page with its decision, at a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.models import AuditEvent, AuditEventType
from organisations.models import Role, UnitKind
from surveys.models import Priority
from surveys.tests.results_world import Setting, build, members
from tests.world import World
from wheel.models import MeetingDecision, OccurrenceStatus

pytestmark = pytest.mark.usefixtures("two_factor_set_up")


@pytest.fixture
def setting(world: World) -> Setting:
    return build(world)


@pytest.fixture
def swedish(world: World) -> Client:
    client = Client(headers={"Accept-Language": "sv"})
    client.force_login(members(world)[0])
    return client


def test_a_stale_analysis_save_shows_both_versions_and_keeps_the_typing(swedish, world, setting):
    url = reverse("survey_results:analysis_edit", args=[setting.round.pk])
    version = setting.round.lock_version
    other = Client(headers={"Accept-Language": "sv"})
    other.force_login(members(world)[1])
    assert other.post(url, {"analysis": "Rektorns version", "version": version}).status_code == 302
    response = swedish.post(url, {"analysis": "Kuratorns version", "version": version})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Någon annan sparade analysen" in page
    assert "Rektorns version" in page  # what is saved now
    assert "Kuratorns version</textarea>" in page  # what was typed, kept
    setting.round.refresh_from_db()
    assert setting.round.analysis == "Rektorns version"
    # Saving again from the refused page (it carries the new version) goes through.
    response = swedish.post(
        url, {"analysis": "Båda versionerna", "version": setting.round.lock_version}
    )
    assert response.status_code == 302
    setting.round.refresh_from_db()
    assert setting.round.analysis == "Båda versionerna"


def test_a_free_text_is_removed_after_confirmation(swedish, setting):
    url = reverse("survey_results:free_text_remove", args=[setting.text.pk])
    page = swedish.get(url).content.decode()
    assert setting.text.text in page
    assert "Ta bort texten" in page
    setting.text.refresh_from_db()
    assert not setting.text.text_removed  # the confirmation page changes nothing
    response = swedish.post(url)
    assert response.status_code == 302
    setting.text.refresh_from_db()
    assert setting.text.text == ""
    assert setting.text.text_removed
    listing = swedish.get(response["Location"]).content.decode()
    assert "Texten togs bort av analysgruppen" in listing
    event = AuditEvent.objects.get(event_type=AuditEventType.SURVEY_FREE_TEXT_REMOVED)
    assert event.object_id == str(setting.round.pk)


def test_a_priority_is_added_and_sent_to_the_next_council_meeting(swedish, world, setting):
    response = swedish.post(
        reverse("survey_results:priority_create", args=[setting.round.pk]),
        {
            "what": "Samordnad insats mot narkotika",
            "why": "Oron har ökat.",
            "responsible_unit": world.unit(UnitKind.INTAKE).pk,
        },
    )
    assert response.status_code == 302
    priority = Priority.objects.get(what="Samordnad insats mot narkotika")
    url = reverse("survey_results:priority_send", args=[priority.pk])
    page = swedish.get(url).content.decode()
    day = timezone.localtime(setting.council.starts_at)
    assert f"Resursråd den {day.day}\xa0" in page
    response = swedish.post(url, follow=True)
    priority.refresh_from_db()
    assert priority.council_occurrence == setting.council
    assert "Lagd på resursrådets dagordning: Resursråd den" in response.content.decode()


def test_no_council_meeting_planned_is_said_plainly(swedish, setting):
    setting.council.status = OccurrenceStatus.CANCELLED
    setting.council.save()
    priority = Priority.objects.exclude(pk=setting.priority.pk).get()
    url = reverse("survey_results:priority_send", args=[priority.pk])
    for response in (swedish.get(url), swedish.post(url)):
        page = response.content.decode()
        assert response.status_code == 200
        assert "Inget möte med resursrådet är planerat i årshjulet" in page
        assert reverse("wheel:wheel") in page
    priority.refresh_from_db()
    assert priority.council_occurrence is None


def test_the_priority_form_keeps_what_was_typed_on_errors(swedish, setting):
    response = swedish.post(
        reverse("survey_results:priority_create", args=[setting.round.pk]),
        {"what": "Föräldrastöd 20130101-9809", "why": "", "responsible_unit": "999999"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Föräldrastöd 20130101-9809" in page
    assert "Skriv varför den prioriteras." in page
    assert "Välj en enhet i kommunen." in page


def _occurrence_queries(client: Client, setting: Setting) -> tuple[int, str]:
    url = reverse("wheel:occurrence_detail", args=[setting.council.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_meeting_page_shows_the_agenda_at_a_fixed_cost(world, setting):
    client = Client(headers={"Accept-Language": "sv"})
    client.force_login(world.user(Role.COORDINATOR))
    decision = MeetingDecision.objects.create(
        occurrence=setting.council, text="Två fältassistenter under våren."
    )
    _occurrence_queries(client, setting)  # the session, once
    one, page = _occurrence_queries(client, setting)
    assert "Från lägesbildsanalysen" in page
    assert "Fältassistenter kvällstid" in page
    assert "Koppla beslutet" in page
    for index in range(5):
        Priority.objects.create(
            round=setting.round,
            position=10 + index,
            what=f"Resurs {index}",
            why="Behov",
            responsible_unit=world.unit(UnitKind.INTAKE),
            council_occurrence=setting.council,
            sent_to_council_at=timezone.now() + datetime.timedelta(minutes=index),
            decision=decision,
        )
    setting.round.occurrence = setting.council
    setting.round.save()
    six, page = _occurrence_queries(client, setting)
    assert six == one
    assert page.count("Beslut i resursrådet") == 5
    assert reverse("survey_results:round_results", args=[setting.round.pk]) in page


def test_who_reads_the_meeting_but_does_not_record_it_sees_no_form(world, setting):
    client = Client(headers={"Accept-Language": "sv"})
    client.force_login(world.user(Role.REPORTER))
    MeetingDecision.objects.create(occurrence=setting.council, text="Beslut")
    _count, page = _occurrence_queries(client, setting)
    assert "Fältassistenter kvällstid" in page
    assert "Koppla beslutet" not in page


def test_a_meeting_just_after_midnight_is_named_by_its_swedish_date(swedish, setting):
    """00:30 in Stockholm on 14 January is still 13 January in UTC: the page names the day the
    members will meet, not the server's."""
    setting.council.starts_at = datetime.datetime(2027, 1, 13, 23, 30, tzinfo=datetime.UTC)
    setting.council.save()
    priority = Priority.objects.exclude(pk=setting.priority.pk).get()
    url = reverse("survey_results:priority_send", args=[priority.pk])
    page = swedish.get(url).content.decode()
    assert "Resursråd den 14\xa0jan.\xa02027" in page
