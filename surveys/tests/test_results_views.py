"""Who may open the results and analysis pages (the permission matrix with the outsiders:
the other municipality, a teacher, the intake outside the group, a board member asking for
the free texts), and what the pages show."""

import pytest
from django.urls import reverse
from django.utils import translation

from organisations.models import Role
from surveys.models import Priority
from surveys.tests.results_world import Setting, build, members, readers, recorders
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World
from wheel.models import MeetingDecision

pytestmark = pytest.mark.usefixtures("two_factor_set_up")

READ_PAGES = ("round_results", "analysis", "export_csv", "export_xlsx")
ANALYSE_PAGES = ("free_texts", "analysis_edit", "priority_create")
PRIORITY_PAGES = ("priority_edit", "priority_delete", "priority_send")


@pytest.fixture
def setting(world: World) -> Setting:
    return build(world)


def expect(world: World, allowed: list, ok: int | str = 200) -> list:
    return [
        (None, LOGIN),
        *[(user, ok) for user in allowed],
        *[(user, 404) for user in everyone_else(world, allowed)],
    ]


def test_the_round_list_lists_only_readable_rounds(client, world, setting):
    assert_matrix(
        client,
        reverse("survey_results:round_list"),
        [
            (None, LOGIN),
            *[(user, 200) for place in world.places.values() for user in place.users.values()],
        ],
    )
    client.force_login(world.user(Role.COORDINATOR, "eksjo"))
    assert (
        setting.round.title not in client.get(reverse("survey_results:round_list")).content.decode()
    )
    client.force_login(world.user(Role.BOARD_MEMBER))
    page = client.get(reverse("survey_results:round_list")).content.decode()
    assert setting.round.title in page
    assert reverse("survey_results:round_results", args=[setting.draft.pk]) not in page


@pytest.mark.parametrize("name", READ_PAGES)
def test_readers_and_the_group_read_the_results(client, world, setting, name):
    allowed = readers(world) + members(world)
    assert_matrix(
        client, reverse(f"survey_results:{name}", args=[setting.round.pk]), expect(world, allowed)
    )


@pytest.mark.parametrize("name", READ_PAGES + ANALYSE_PAGES)
def test_a_draft_has_no_results(client, world, setting, name):
    assert_matrix(
        client,
        reverse(f"survey_results:{name}", args=[setting.draft.pk]),
        expect(world, []),
    )


@pytest.mark.parametrize("name", ANALYSE_PAGES)
def test_only_the_group_analyses(client, world, setting, name):
    assert_matrix(
        client,
        reverse(f"survey_results:{name}", args=[setting.round.pk]),
        expect(world, members(world)),
    )


@pytest.mark.parametrize("name", PRIORITY_PAGES)
def test_only_the_group_changes_priorities(client, world, setting, name):
    other = Priority.objects.exclude(pk=setting.priority.pk).get()
    assert_matrix(
        client, reverse(f"survey_results:{name}", args=[other.pk]), expect(world, members(world))
    )


def test_only_the_group_reads_a_free_text_to_remove(client, world, setting):
    url = reverse("survey_results:free_text_remove", args=[setting.text.pk])
    assert_matrix(client, url, expect(world, members(world)))
    # The coordinator and a board member who are not in the group: the same 404.
    for role in (Role.COORDINATOR, Role.BOARD_MEMBER, Role.INTAKE):
        client.force_login(world.user(role))
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    setting.text.refresh_from_db()
    assert not setting.text.text_removed


def test_only_the_group_reorders(client, world, setting):
    url = reverse("survey_results:priority_reorder", args=[setting.priority.pk])
    assert_matrix(
        client, url, expect(world, members(world), 302), method="post", data={"direction": "down"}
    )


def test_only_those_who_record_the_meeting_link_a_decision(client, world, setting):
    decision = MeetingDecision.objects.create(
        occurrence=setting.council, text="Två fältassistenter kvällstid under våren."
    )
    url = reverse("survey_results:priority_decision", args=[setting.priority.pk])
    assert_matrix(
        client,
        url,
        expect(world, recorders(world), 302),
        method="post",
        data={"decision": decision.pk},
    )
    setting.priority.refresh_from_db()
    assert setting.priority.decision == decision


def test_get_is_refused_on_post_only_actions(client, world, setting):
    client.force_login(members(world)[0])
    for name in ("priority_reorder", "priority_decision"):
        response = client.get(reverse(f"survey_results:{name}", args=[setting.priority.pk]))
        assert response.status_code == 405


def test_the_results_page_shows_charts_tables_and_the_rate(world, setting):
    from django.test import Client

    client = Client(headers={"Accept-Language": "sv"})
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(
        reverse("survey_results:round_results", args=[setting.round.pk])
    ).content.decode()
    assert page.count('role="img"') == 4  # the scale, the two choices and the number
    assert "<table" in page
    # 11 of 12 invitations answered.
    assert "<dd>11</dd>" in page
    assert "92\xa0%" in page
    assert "Kommentar" not in page  # free texts are not on the results page
    assert "Per sektor" in page
    # The coordinator is not in the group: no way to the free texts.
    assert reverse("survey_results:free_texts", args=[setting.round.pk]) not in page


def test_the_free_text_page_warns_and_lists_the_texts(client, world, setting):
    client.force_login(members(world)[0])
    with translation.override("sv"):
        page = client.get(
            reverse("survey_results:free_texts", args=[setting.round.pk]),
            headers={"Accept-Language": "sv"},
        ).content.decode()
    assert "Fritextsvar kan innehålla uppgifter om enskilda" in page
    assert "Kommentar 0" in page
    assert "Kommentar 10" in page


def test_the_round_page_links_as_far_as_the_user_may(world, setting):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    def links(user, round_) -> str:
        request = RequestFactory().get("/")
        request.user = user
        return render_to_string(
            "surveys/results/_round_links.html", {"round": round_}, request=request
        )

    member = links(members(world)[0], setting.round)
    assert reverse("survey_results:round_results", args=[setting.round.pk]) in member
    assert reverse("survey_results:free_texts", args=[setting.round.pk]) in member
    coordinator = links(world.user(Role.COORDINATOR), setting.round)
    assert reverse("survey_results:analysis", args=[setting.round.pk]) in coordinator
    assert reverse("survey_results:free_texts", args=[setting.round.pk]) not in coordinator
    assert "href" not in links(world.user(Role.REPORTER), setting.round)
    assert "href" not in links(members(world)[0], setting.draft)
