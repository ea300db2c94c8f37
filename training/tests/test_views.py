"""The training pages: who may open each (the matrix, with the other municipality and the
wrong roles as outsiders), recording a session through the form (Swedish messages that keep
what was typed, one record for a double submit, a stale save shown with both versions), the
organiser of the linked wheel activity, the session on the wheel's occurrence page, the
follow-up page's twelve months (time-machine) and the list's fixed number of queries."""

import datetime
import uuid

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organisations.models import Role, Sector, UnitKind, User
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World
from training.models import Participation, SessionGroup, TrainingSession, Vignette
from training.tests import builders
from wheel.models import ActivityType
from wheel.tests.series_builders import around_today, member_of, past_occurrence

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

PNR = "20130101-9809"
FOLLOWERS = (Role.COORDINATOR, Role.MANAGER, Role.AUDITOR)
FOLLOW_UP_VIEWERS = (
    Role.COORDINATOR,
    Role.MANAGER,
    Role.BOARD_MEMBER,
    Role.AUDITOR,
    Role.MUNICIPAL_ADMIN,
    Role.INTAKE,
    Role.PRINCIPAL,
)

Expectations = list[tuple[User | None, int | str]]


def _only(world: World, allowed: list[User]) -> Expectations:
    expectations: Expectations = [(None, LOGIN)]
    expectations += [(user, 200) for user in allowed]
    expectations += [(user, 404) for user in everyone_else(world, allowed)]
    return expectations


def _users(world: World, roles, places=("leksand",)) -> list[User]:
    return [world.user(role, place) for place in places for role in roles]


@pytest.fixture
def vignette(world: World) -> Vignette:
    return builders.vignette(world)


@pytest.fixture
def session(world: World) -> TrainingSession:
    return builders.session(
        world,
        held_on=timezone.localdate() - datetime.timedelta(days=10),
        counts={world.unit(UnitKind.SCHOOL): 12, world.unit(UnitKind.INTAKE): 4},
        groups=[(Sector.SCHOOL, Sector.SOCIAL_SERVICES)],
    )


# --- the matrix ------------------------------------------------------------------------------


def test_every_member_of_staff_reads_the_library(client: Client, world: World) -> None:
    everybody = [user for place in world.places.values() for user in place.users.values()]
    assert_matrix(client, reverse("training:vignette_list"), _only(world, everybody))


def test_a_case_is_read_by_its_municipality_only(
    client: Client, world: World, vignette: Vignette
) -> None:
    leksand = list(world.places["leksand"].users.values())
    assert_matrix(
        client, reverse("training:vignette_detail", args=[vignette.pk]), _only(world, leksand)
    )


def test_a_shared_case_is_read_by_every_municipality(client: Client, world: World) -> None:
    shared = Vignette.objects.create(municipality=None, title="Gemensamt fall", case_text="…")
    everybody = [user for place in world.places.values() for user in place.users.values()]
    assert_matrix(
        client, reverse("training:vignette_detail", args=[shared.pk]), _only(world, everybody)
    )
    # Nobody changes a shared case on the pages (it is the installation's).
    assert_matrix(client, reverse("training:vignette_edit", args=[shared.pk]), _only(world, []))


def test_coordinators_add_and_change_cases(
    client: Client, world: World, vignette: Vignette
) -> None:
    coordinators = _users(world, [Role.COORDINATOR], ("leksand", "eksjo"))
    assert_matrix(client, reverse("training:vignette_create"), _only(world, coordinators))
    assert_matrix(
        client,
        reverse("training:vignette_edit", args=[vignette.pk]),
        _only(world, [world.user(Role.COORDINATOR)]),
    )


def test_the_sessions_are_for_coordinators_managers_and_auditors(
    client: Client, world: World, session: TrainingSession
) -> None:
    assert_matrix(
        client,
        reverse("training:session_list"),
        _only(world, _users(world, FOLLOWERS, ("leksand", "eksjo"))),
    )
    assert_matrix(
        client,
        reverse("training:session_detail", args=[session.pk]),
        _only(world, _users(world, FOLLOWERS)),
    )


def test_coordinators_record_and_change_sessions(
    client: Client, world: World, session: TrainingSession
) -> None:
    coordinators = _users(world, [Role.COORDINATOR], ("leksand", "eksjo"))
    assert_matrix(client, reverse("training:session_create"), _only(world, coordinators))
    assert_matrix(
        client,
        reverse("training:session_edit", args=[session.pk]),
        _only(world, [world.user(Role.COORDINATOR)]),
    )


def test_the_follow_up_page_is_for_who_reads_the_follow_up(client: Client, world: World) -> None:
    assert_matrix(
        client,
        reverse("training:followup"),
        _only(world, _users(world, FOLLOW_UP_VIEWERS, ("leksand", "eksjo"))),
    )
    eksjo = world.municipality("eksjo").pk
    assert_matrix(
        client,
        reverse("training:followup") + f"?municipality={eksjo}",
        _only(world, _users(world, FOLLOW_UP_VIEWERS, ("eksjo",))),
    )


def test_the_organiser_of_the_wheel_activity_records_its_session(
    client: Client, world: World, session: TrainingSession
) -> None:
    series = around_today(world, activity_type=ActivityType.TRAINING, title="Utbildning")
    occurrence = past_occurrence(series)
    TrainingSession.objects.filter(pk=session.pk).update(occurrence=occurrence)
    organiser = member_of(world.unit(UnitKind.INTAKE), "organiser.leksand")
    client.force_login(organiser)
    assert client.get(reverse("training:session_detail", args=[session.pk])).status_code == 200
    assert client.get(reverse("training:session_edit", args=[session.pk])).status_code == 200
    # ... but not the others, nor the list of every session, nor a new one.
    assert client.get(reverse("training:session_list")).status_code == 404
    assert client.get(reverse("training:session_create")).status_code == 404
    # The wheel's page of the occurrence shows the session to whom may read it.
    page = client.get(reverse("wheel:occurrence_detail", args=[occurrence.pk])).content.decode()
    assert reverse("training:session_detail", args=[session.pk]) in page
    client.force_login(world.user(Role.REPORTER))
    page = client.get(reverse("wheel:occurrence_detail", args=[occurrence.pk])).content.decode()
    assert reverse("training:session_detail", args=[session.pk]) not in page


# --- recording through the forms -------------------------------------------------------------


def _session_post(world: World, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "submission_key": str(uuid.uuid4()),
        "title": "Gränsdragningar",
        "held_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        f"unit_{world.unit(UnitKind.SCHOOL).pk}": "9",
        f"unit_{world.unit(UnitKind.INTAKE).pk}": "3",
        "group_1_sectors": [Sector.SCHOOL, Sector.SOCIAL_SERVICES],
        "group_2_sectors": [Sector.SCHOOL],
    }
    data.update(changes)
    return data


def test_a_session_is_recorded_once_however_often_it_is_sent(
    client: Client, world: World, vignette: Vignette
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    data = _session_post(
        world, vignettes=[vignette.pk], named_participants=[world.user(Role.REPORTER).pk]
    )
    first = client.post(reverse("training:session_create"), data)
    second = client.post(reverse("training:session_create"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    session = TrainingSession.objects.get()
    assert [
        row.participants
        for row in Participation.objects.filter(session=session).order_by("participants")
    ] == [3, 9]
    assert [g.sectors for g in SessionGroup.objects.filter(session=session)] == [
        [Sector.SCHOOL, Sector.SOCIAL_SERVICES],
        [Sector.SCHOOL],
    ]
    assert list(session.vignettes.all()) == [vignette]
    assert list(session.named_participants.all()) == [world.user(Role.REPORTER)]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Detta fält måste fyllas i."),
        ({"held_on": "2099-01-01"}, "datumet kan inte ligga framåt i tiden"),
        ({"held_on": "inte ett datum"}, "Fyll i ett giltigt datum."),
        ({"unit_SCHOOL": "-2"}, "Antalet deltagare kan inte vara negativt."),
        ({"unit_SCHOOL": "många"}, "Fyll i ett heltal."),
        ({"unit_SCHOOL": "", "unit_INTAKE": ""}, "Ange antalet deltagare från minst en enhet."),
        ({"group_1_sectors": ["nowhere"]}, "Välj ett giltigt alternativ"),
        ({"group_3_participants": "4"}, "Välj minst en sektor för varje grupp."),
        ({"description": f"Eleven {PNR} nämndes"}, "personnummer"),
        ({"vignettes": ["999999"]}, "Välj ett giltigt alternativ"),
    ],
)
def test_bad_input_is_refused_in_swedish_and_kept(
    client: Client, world: World, changes: dict[str, object], message: str
) -> None:
    client = Client(headers={"Accept-Language": "sv"})
    client.force_login(world.user(Role.COORDINATOR))
    data = _session_post(world)
    for name, value in changes.items():
        if name.startswith("unit_"):
            kind = UnitKind.SCHOOL if name == "unit_SCHOOL" else UnitKind.INTAKE
            data[f"unit_{world.unit(kind).pk}"] = value
        else:
            data[name] = value
    response = client.post(reverse("training:session_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'value="Gränsdragningar"' in page or changes.get("title") == ""
    assert not TrainingSession.objects.exists()


def test_another_municipality_s_case_can_not_be_chosen(client: Client, world: World) -> None:
    other = builders.vignette(world, "eksjo")
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        reverse("training:session_create"), _session_post(world, vignettes=[other.pk])
    )
    assert response.status_code == 200
    assert not TrainingSession.objects.exists()


def test_a_stale_save_shows_both_versions_and_changes_nothing(
    client: Client, world: World, session: TrainingSession
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    opened = session.version
    # Someone else saves first.
    other = _session_post(world, title="Sparad av någon annan", version=str(opened))
    assert (
        client.post(reverse("training:session_edit", args=[session.pk]), other).status_code == 302
    )
    mine = _session_post(world, title="Min ändring", version=str(opened))
    response = client.post(reverse("training:session_edit", args=[session.pk]), mine)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sparad av någon annan" in page  # the saved version
    assert 'value="Min ändring"' in page  # what I typed, kept
    session.refresh_from_db()
    assert session.title == "Sparad av någon annan"
    # Saving again (the form now holds the saved version's number) replaces it knowingly.
    mine["version"] = str(session.version)
    assert client.post(reverse("training:session_edit", args=[session.pk]), mine).status_code == 302
    session.refresh_from_db()
    assert session.title == "Min ändring"


def test_a_case_with_an_identity_number_is_refused_and_kept(client: Client, world: World) -> None:
    client = Client(headers={"Accept-Language": "sv"})
    client.force_login(world.user(Role.COORDINATOR))
    data = {
        "submission_key": str(uuid.uuid4()),
        "title": "Fallet",
        "case_text": f"Eleven har personnummer {PNR}.",
    }
    response = client.post(reverse("training:vignette_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Texten verkar innehålla ett personnummer" in page
    assert f"Eleven har personnummer {PNR}." in page
    assert not Vignette.objects.exists()


def test_a_case_is_added_once_and_changed_with_its_version(client: Client, world: World) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    data = {
        "submission_key": str(uuid.uuid4()),
        "title": "Fallet",
        "case_text": "Påhittat.",
        "boundary_questions": "När blir oro en anmälan?\nVad får skolan veta om utredningen?",
    }
    client.post(reverse("training:vignette_create"), data)
    client.post(reverse("training:vignette_create"), data)
    vignette = Vignette.objects.get()
    assert vignette.boundary_list == [
        "När blir oro en anmälan?",
        "Vad får skolan veta om utredningen?",
    ]
    page = client.get(reverse("training:vignette_detail", args=[vignette.pk])).content.decode()
    assert "Fictional case" in page
    assert "coincidental" in page
    stale = {**data, "title": "Gammal", "version": str(vignette.version - 1)}
    response = client.post(reverse("training:vignette_edit", args=[vignette.pk]), stale)
    assert response.status_code == 200
    assert "Someone else saved this case" in response.content.decode()
    fresh = {**data, "title": "Ny rubrik", "version": str(vignette.version)}
    assert (
        client.post(reverse("training:vignette_edit", args=[vignette.pk]), fresh).status_code == 302
    )
    vignette.refresh_from_db()
    assert (vignette.title, vignette.version) == ("Ny rubrik", 2)


# --- what the pages show ---------------------------------------------------------------------


def test_the_list_shows_the_share_per_sector_in_a_fixed_number_of_queries(
    client: Client, world: World, django_assert_num_queries
) -> None:
    school = builders.staffed(world, UnitKind.SCHOOL, 40)
    intake = builders.staffed(world, UnitKind.INTAKE, 10)

    def record(count: int) -> None:
        for n in range(count):
            builders.session(
                world,
                held_on=timezone.localdate() - datetime.timedelta(days=n + 1),
                counts={school: 2, intake: 1},
                groups=[(Sector.SCHOOL, Sector.SOCIAL_SERVICES), (Sector.SCHOOL,)],
                title=f"Utbildning {n}",
            )

    client.force_login(world.user(Role.COORDINATOR))
    record(2)
    client.get(reverse("training:session_list"))  # warm the caches
    with django_assert_num_queries(6) as small:
        response = client.get(reverse("training:session_list"))
    record(10)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("training:session_list"))
    page = response.content.decode()
    assert "12 sessions" in page
    assert "60 %" in page  # school: 24 of 40
    assert "100 %" in page  # the intake: 12 of 10, capped


def test_the_follow_up_page_counts_the_last_twelve_months(client: Client, world: World) -> None:
    school = builders.staffed(world, UnitKind.SCHOOL, 20)
    builders.session(world, held_on=timezone.localdate(), counts={school: 5})
    client.force_login(world.user(Role.COORDINATOR))
    assert "25 %" in client.get(reverse("training:followup")).content.decode()
    later = timezone.now() + datetime.timedelta(days=366)
    with time_machine.travel(later, tick=False):
        client.force_login(world.user(Role.COORDINATOR))
        page = client.get(reverse("training:followup")).content.decode()
    assert "25 %" not in page
    assert "0 %" in page
