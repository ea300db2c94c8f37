"""The occurrence pages: who may open and record them (the matrix), recording a meeting with
minutes, attendance, decisions and actions, the identity-number refusal that keeps what was
typed, the live warning, and a stale save."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organisations import services as organisation_services
from organisations.models import Role, UnitKind
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World
from wheel import services
from wheel.models import (
    ActionStatus,
    ActivityType,
    Attendance,
    FollowUpAction,
    MeetingDecision,
    Occurrence,
    OccurrenceStatus,
)
from wheel.tests.series_builders import (
    around_today,
    future_occurrence,
    member_of,
    past_occurrence,
)

PNR = "20130101-9809"
MESSAGE = (
    "The text seems to contain a personal identity number (YYMMDD-XXXX). Minutes must not "
    "identify children: remove it."
)


pytestmark = pytest.mark.usefixtures("two_factor_set_up")


@pytest.fixture
def occurrence(world: World) -> Occurrence:
    """A past meeting of a weekly series organised by Leksand's intake."""
    return past_occurrence(around_today(world))


def recorders(world: World) -> list:
    """The coordinator and the organiser unit's member (the intake social worker)."""
    return [world.user(Role.COORDINATOR), world.user(Role.INTAKE)]


def text_of(response) -> str:
    return response.content.decode()


def record_data(occurrence: Occurrence, **overrides: object) -> dict[str, object]:
    local = timezone.localtime(occurrence.starts_at)
    data: dict[str, object] = {
        "version": occurrence.version,
        "status": OccurrenceStatus.HELD,
        "status_reason": "",
        "date": local.date().isoformat(),
        "start_time": local.strftime("%H:%M"),
        "place": occurrence.place,
        "school": "",
        "minutes": "",
    }
    data.update(overrides)
    return data


# --- the matrix ----------------------------------------------------------------------------------


def test_matrix_reading(client: Client, world: World, occurrence: Occurrence) -> None:
    leksand = list(world.places["leksand"].users.values())
    eksjo = list(world.places["eksjo"].users.values())
    assert_matrix(
        client,
        reverse("wheel:occurrence_detail", args=[occurrence.pk]),
        [(None, LOGIN), *[(u, 200) for u in leksand], *[(u, 404) for u in eksjo]],
    )
    upload = SimpleUploadedFile("p.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    services.occurrence_record(
        occurrence=occurrence,
        actor=world.user(Role.COORDINATOR),
        expected_version=1,
        record=services.OccurrenceRecord(
            status=OccurrenceStatus.HELD, starts_at=occurrence.starts_at, minutes_file=upload
        ),
    )
    assert_matrix(
        client,
        reverse("wheel:occurrence_minutes_file", args=[occurrence.pk]),
        [(None, LOGIN), *[(u, 200) for u in leksand], *[(u, 404) for u in eksjo]],
    )


def test_matrix_recording(client: Client, world: World, occurrence: Occurrence) -> None:
    allowed = recorders(world)
    others = everyone_else(world, allowed)
    decision = services.decision_add(
        occurrence=occurrence, actor=allowed[0], data=services.DecisionData(text="Beslut")
    )
    action = services.action_add(
        occurrence=occurrence,
        actor=allowed[0],
        data=services.ActionData(what="Göra", owner="Någon"),
    )
    for url in (
        reverse("wheel:occurrence_record", args=[occurrence.pk]),
        reverse("wheel:decision_create", args=[occurrence.pk]),
        reverse("wheel:decision_edit", args=[decision.pk]),
        reverse("wheel:action_create", args=[occurrence.pk]),
        reverse("wheel:action_edit", args=[action.pk]),
    ):
        assert_matrix(
            client,
            url,
            [(None, LOGIN), *[(u, 200) for u in allowed], *[(u, 404) for u in others]],
        )
        assert_matrix(
            client,
            url,
            [(None, LOGIN), *[(u, 404) for u in others]],
            method="post",
            data={"text": "x", "what": "x", "owner": "x", "status": "cancelled"},
        )
    close = reverse("wheel:action_close", args=[action.pk])
    assert_matrix(client, close, [(None, LOGIN), *[(u, 404) for u in others]], method="post")
    assert_matrix(client, close, [(allowed[1], 405)], method="get")
    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.PLANNED
    assert MeetingDecision.objects.get().text == "Beslut"
    assert FollowUpAction.objects.get().status == ActionStatus.OPEN
    assert_matrix(client, close, [(allowed[1], 302)], method="post")
    assert FollowUpAction.objects.get().status == ActionStatus.DONE


@pytest.mark.usefixtures("occurrence")
def test_matrix_text_check(client: Client, world: World) -> None:
    # Those who may record something: coordinators (also Eksjö's, of their own wheel) and the
    # members of organiser units.
    allowed = [*recorders(world), world.user(Role.COORDINATOR, "eksjo")]
    assert_matrix(
        client,
        reverse("wheel:text_check"),
        [
            (None, LOGIN),
            *[(u, 200) for u in allowed],
            *[(u, 404) for u in everyone_else(world, allowed)],
        ],
        method="post",
        data={"minutes": "text"},
    )


def test_a_subtree_membership_covers_the_organiser_unit_below(client: Client, world: World) -> None:
    administration = organisation_services.unit_create(
        actor=None,
        municipality=world.municipality(),
        name="Socialförvaltningen",
        kind=UnitKind.ADMINISTRATION,
    )
    intake = world.unit(UnitKind.INTAKE)
    organisation_services.unit_update(actor=None, unit=intake, parent=administration)
    intake.refresh_from_db()
    manager = member_of(administration, "chef.leksand", role=Role.MANAGER)
    below = around_today(world, organiser_unit=intake)
    url = reverse("wheel:occurrence_record", args=[past_occurrence(below).pk])
    assert_matrix(client, url, [(manager, 404)])
    membership = manager.memberships.get()
    membership.includes_subtree = True
    membership.save()
    assert_matrix(client, url, [(manager, 200)])


# --- recording -----------------------------------------------------------------------------------


def test_the_organiser_records_a_held_meeting(
    client: Client, world: World, occurrence: Occurrence
) -> None:
    school = world.unit(UnitKind.SCHOOL)
    health = world.unit(UnitKind.STUDENT_HEALTH)
    intake = world.unit(UnitKind.INTAKE)
    client.force_login(world.user(Role.INTAKE))
    url = reverse("wheel:occurrence_record", args=[occurrence.pk])
    form = text_of(client.get(url))
    # One number per unit: the organiser and the invited units, each with its sector.
    for unit in (school, health, intake):
        assert f'name="attendance_{unit.pk}"' in form
    assert "Social services" in form
    response = client.post(
        url,
        record_data(
            occurrence,
            minutes="Rutinen gicks igenom.\n\nNästa möte: utbildning.",
            **{f"attendance_{school.pk}": "3", f"attendance_{health.pk}": "2"},
            **{f"attendance_{intake.pk}": "1"},
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("wheel:occurrence_detail", args=[occurrence.pk])
    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.HELD
    assert occurrence.version == 2
    assert Attendance.objects.filter(occurrence=occurrence).count() == 3
    page = text_of(client.get(response["Location"]))
    assert "The meeting was saved." in page
    assert "<p>Rutinen gicks igenom.</p><p>Nästa möte: utbildning.</p>" in page
    assert "6 participants in all" in page
    # Per sector: school 3 + 2 (student health is school), social services 1.
    assert re.search(r"School</th><td>5</td>", page)
    assert re.search(r"Social services</th><td>1</td>", page)
    # Typed again, the minutes come back as the text that was typed.
    again = text_of(client.get(url))
    assert "Rutinen gicks igenom.\n\nNästa möte: utbildning.</textarea>" in again


def test_minutes_with_an_identity_number_are_refused_and_kept(
    client: Client, world: World, occurrence: Occurrence
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    typed = f"Eleven {PNR} behöver stöd."
    response = client.post(
        reverse("wheel:occurrence_record", args=[occurrence.pk]),
        record_data(occurrence, minutes=typed),
    )
    assert response.status_code == 200
    content = text_of(response)
    assert MESSAGE in content
    assert f"{typed}</textarea>" in content
    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.PLANNED
    assert occurrence.minutes == ""


def test_a_cancelled_meeting_needs_a_reason(
    client: Client, world: World, occurrence: Occurrence
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("wheel:occurrence_record", args=[occurrence.pk])
    response = client.post(url, record_data(occurrence, status=OccurrenceStatus.CANCELLED))
    assert response.status_code == 200
    assert "Give the reason the meeting was cancelled." in text_of(response)
    response = client.post(
        url,
        record_data(occurrence, status=OccurrenceStatus.CANCELLED, status_reason="Sjukdom"),
    )
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.CANCELLED


def test_a_meeting_to_come_is_moved(client: Client, world: World) -> None:
    occurrence = future_occurrence(around_today(world))
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("wheel:occurrence_record", args=[occurrence.pk])
    response = client.post(url, record_data(occurrence))
    assert "it can be recorded as held once it has started" in text_of(response)
    response = client.post(
        url,
        record_data(
            occurrence,
            status=OccurrenceStatus.MOVED,
            status_reason="Lokalen är upptagen",
            start_time="14:00",
        ),
    )
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert timezone.localtime(occurrence.starts_at).strftime("%H:%M") == "14:00"


def test_attendance_for_a_cancelled_meeting_is_refused(
    client: Client, world: World, occurrence: Occurrence
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    school = world.unit(UnitKind.SCHOOL)
    response = client.post(
        reverse("wheel:occurrence_record", args=[occurrence.pk]),
        record_data(
            occurrence,
            status=OccurrenceStatus.CANCELLED,
            status_reason="Sjukdom",
            **{f"attendance_{school.pk}": "4"},
        ),
    )
    assert response.status_code == 200
    assert "Attendance can only be recorded for a held meeting" in text_of(response)
    assert f'name="attendance_{school.pk}" value="4"' in text_of(response)


def test_a_stale_save_is_refused_and_the_typing_kept(
    client: Client, world: World, occurrence: Occurrence
) -> None:
    coordinator = world.user(Role.COORDINATOR)
    stale = record_data(occurrence, minutes="Mina anteckningar")
    services.occurrence_record(
        occurrence=occurrence,
        actor=world.user(Role.INTAKE),
        expected_version=1,
        record=services.OccurrenceRecord(
            status=OccurrenceStatus.HELD, starts_at=occurrence.starts_at, minutes="Deras"
        ),
    )
    client.force_login(coordinator)
    url = reverse("wheel:occurrence_record", args=[occurrence.pk])
    response = client.post(url, stale)
    content = text_of(response)
    assert response.status_code == 200
    assert "Someone else saved this meeting since you opened the form." in content
    assert "Mina anteckningar</textarea>" in content
    assert 'name="version" value="2"' in content
    occurrence.refresh_from_db()
    assert occurrence.minutes == "<p>Deras</p>"
    assert occurrence.version == 2
    # Saving again on purpose replaces the other save.
    response = client.post(url, {**stale, "version": 2})
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.minutes == "<p>Mina anteckningar</p>"


def test_the_minutes_file_is_downloaded_under_its_name(
    client: Client, world: World, occurrence: Occurrence
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    upload = SimpleUploadedFile("Protokoll.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    response = client.post(
        reverse("wheel:occurrence_record", args=[occurrence.pk]),
        {**record_data(occurrence), "minutes_file": upload},
    )
    assert response.status_code == 302
    client.force_login(world.user(Role.REPORTER))
    download = client.get(reverse("wheel:occurrence_minutes_file", args=[occurrence.pk]))
    assert download.status_code == 200
    assert 'filename="Protokoll.pdf"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_no_minutes_file_is_a_404(client: Client, world: World, occurrence: Occurrence) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("wheel:occurrence_minutes_file", args=[occurrence.pk])
    assert client.get(url).status_code == 404


# --- the live warning ----------------------------------------------------------------------------


@pytest.mark.usefixtures("occurrence")
def test_the_live_check_warns_about_identity_numbers(client: Client, world: World) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("wheel:text_check")
    warned = client.post(url, {"minutes": f"Om {PNR}"}, headers={"HX-Request": "true"})
    assert MESSAGE in text_of(warned)
    assert "<html" not in text_of(warned)
    fine = client.post(url, {"minutes": "Ring 070-123 45 67"}, headers={"HX-Request": "true"})
    assert text_of(fine).strip() == ""


def test_the_record_form_asks_for_the_live_check(
    client: Client, world: World, occurrence: Occurrence
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    form = text_of(client.get(reverse("wheel:occurrence_record", args=[occurrence.pk])))
    assert f'hx-post="{reverse("wheel:text_check")}"' in form
    assert 'hx-target="#minutes-check"' in form
    assert 'id="minutes-check" aria-live="polite"' in form
    # The check runs on htmx attributes: no inline script (the site's script files only).
    assert not re.search(r"<script(?![^>]*\bsrc=)", form.split("</head>")[1])


# --- decisions and actions -----------------------------------------------------------------------


def test_decisions_are_added_and_changed(
    client: Client, world: World, occurrence: Occurrence
) -> None:
    client.force_login(world.user(Role.INTAKE))
    response = client.post(
        reverse("wheel:decision_create", args=[occurrence.pk]),
        {"text": "Rutinen revideras i maj."},
    )
    assert response.status_code == 302
    decision = MeetingDecision.objects.get()
    response = client.post(
        reverse("wheel:decision_edit", args=[decision.pk]), {"text": "Rutinen revideras i juni."}
    )
    assert response.status_code == 302
    page = text_of(client.get(reverse("wheel:occurrence_detail", args=[occurrence.pk])))
    assert "Rutinen revideras i juni." in page


def test_a_decision_with_an_identity_number_is_refused_and_kept(
    client: Client, world: World, occurrence: Occurrence
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    typed = f"Stöd till {PNR}"
    response = client.post(reverse("wheel:decision_create", args=[occurrence.pk]), {"text": typed})
    assert response.status_code == 200
    assert MESSAGE in text_of(response)
    assert f"{typed}</textarea>" in text_of(response)
    assert not MeetingDecision.objects.exists()


def test_a_resource_council_decision_asks_for_resource_unit_and_follow_up(
    client: Client, world: World
) -> None:
    occurrence = past_occurrence(
        around_today(world, activity_type=ActivityType.RESOURCE_COUNCIL, title="Resurssamråd")
    )
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("wheel:decision_create", args=[occurrence.pk])
    assert 'name="receiving_unit"' in text_of(client.get(url))
    response = client.post(url, {"text": "Extra resurs"})
    assert response.status_code == 200
    assert not MeetingDecision.objects.exists()
    response = client.post(
        url,
        {
            "text": "Extra resurs",
            "resource": "Elevassistent",
            "receiving_unit": world.unit(UnitKind.SCHOOL).pk,
            "follow_up_on": "2026-06-01",
        },
    )
    assert response.status_code == 302
    page = text_of(client.get(reverse("wheel:occurrence_detail", args=[occurrence.pk])))
    assert "Elevassistent" in page
    assert world.unit(UnitKind.SCHOOL).name in page


def test_actions_are_added_changed_and_closed(
    client: Client, world: World, occurrence: Occurrence
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        reverse("wheel:action_create", args=[occurrence.pk]),
        {
            "what": "Boka utbildning",
            "owner": "Samordnaren",
            "due_on": "2026-04-01",
            "status": "open",
        },
    )
    assert response.status_code == 302
    action = FollowUpAction.objects.get()
    response = client.post(
        reverse("wheel:action_edit", args=[action.pk]),
        {"what": "Boka utbildning", "owner": "Rektor", "due_on": "", "status": "open"},
    )
    assert response.status_code == 302
    page = text_of(client.get(reverse("wheel:occurrence_detail", args=[occurrence.pk])))
    assert "Mark as done" in page
    client.post(reverse("wheel:action_close", args=[action.pk]))
    action.refresh_from_db()
    assert (action.owner, action.status) == ("Rektor", ActionStatus.DONE)


def test_an_action_with_an_identity_number_is_refused_and_kept(
    client: Client, world: World, occurrence: Occurrence
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    typed = f"Ring vårdnadshavare till {PNR}"
    response = client.post(
        reverse("wheel:action_create", args=[occurrence.pk]),
        {"what": typed, "owner": "Rektor", "status": "open"},
    )
    assert response.status_code == 200
    assert MESSAGE in text_of(response)
    assert f"{typed}</textarea>" in text_of(response)
    assert not FollowUpAction.objects.exists()


def test_the_page_shows_everything_recorded(
    client: Client, world: World, occurrence: Occurrence
) -> None:
    client.force_login(world.user(Role.AUDITOR))
    page = text_of(client.get(reverse("wheel:occurrence_detail", args=[occurrence.pk])))
    assert "No minutes." in page
    assert "No attendance recorded." in page
    assert "No decisions recorded." in page
    assert reverse("wheel:occurrence_record", args=[occurrence.pk]) not in page
