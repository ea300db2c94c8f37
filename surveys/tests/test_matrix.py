"""The permission matrix of every survey page: anonymous users go to the login page, the
municipality's coordinator may, everyone else (other roles, the other municipality's
coordinator) gets the same 404. The public answer pages need no login."""

import pytest
from django.test import Client
from django.urls import reverse

from organisations.models import Role, User
from surveys.models import AnalysisMember, Round, Template
from surveys.tests.conftest import SentRound, make_round
from tests.matrix import LOGIN, assert_matrix, everyone_else
from tests.world import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_set_up", "english")]


def _coordinator_only(world: World, ok: int = 200, *, both: bool = False) -> list:
    """The Leksand coordinator may; with ``both`` (a page of one's own municipality, not of
    a Leksand object) each municipality's coordinator may."""
    coordinators = [world.user(Role.COORDINATOR)]
    if both:
        coordinators.append(world.user(Role.COORDINATOR, "eksjo"))
    return (
        [(None, LOGIN)]
        + [(user, ok) for user in coordinators]
        + [(user, 404) for user in everyone_else(world, coordinators)]
    )


OWN_MUNICIPALITY_PAGES = {
    "surveys:template_list",
    "surveys:template_create",
    "surveys:round_create",
}


def _urls(template: Template, round_: Round) -> dict[str, str]:
    version = template.versions.get()
    section = version.sections.all()[0]
    question = section.questions.all()[0]
    return {
        "surveys:template_list": reverse("surveys:template_list"),
        "surveys:template_create": reverse("surveys:template_create"),
        "surveys:template": reverse("surveys:template", args=[template.pk]),
        "surveys:version": reverse("surveys:version", args=[template.pk, version.pk]),
        "surveys:version_preview": reverse(
            "surveys:version_preview", args=[template.pk, version.pk]
        ),
        "surveys:section_create": reverse("surveys:section_create", args=[template.pk, version.pk]),
        "surveys:section_edit": reverse("surveys:section_edit", args=[template.pk, section.pk]),
        "surveys:section_delete": reverse("surveys:section_delete", args=[template.pk, section.pk]),
        "surveys:question_create": reverse(
            "surveys:question_create", args=[template.pk, section.pk]
        ),
        "surveys:question_edit": reverse("surveys:question_edit", args=[template.pk, question.pk]),
        "surveys:question_delete": reverse(
            "surveys:question_delete", args=[template.pk, question.pk]
        ),
        "surveys:round_create": reverse("surveys:round_create"),
        "surveys:round_edit": reverse("surveys:round_edit", args=[round_.pk]),
        "surveys:analysis_group": reverse("surveys:analysis_group", args=[round_.pk]),
        "surveys:recipients": reverse("surveys:recipients", args=[round_.pk]),
        "surveys:round_send": reverse("surveys:round_send", args=[round_.pk]),
    }


COORDINATOR_PAGES = [
    "surveys:template_list",
    "surveys:template_create",
    "surveys:version",
    "surveys:version_preview",
    "surveys:section_create",
    "surveys:section_edit",
    "surveys:section_delete",
    "surveys:question_create",
    "surveys:question_edit",
    "surveys:question_delete",
    "surveys:round_create",
    "surveys:round_edit",
    "surveys:analysis_group",
    "surveys:recipients",
    "surveys:round_send",
]


@pytest.mark.parametrize("name", COORDINATOR_PAGES)
def test_the_builder_and_round_pages_are_the_coordinators(
    client: Client, world: World, situation: Template, name: str
) -> None:
    round_ = make_round(world, situation)
    expected = _coordinator_only(world, both=name in OWN_MUNICIPALITY_PAGES)
    assert_matrix(client, _urls(situation, round_)[name], expected)


def test_the_template_address_leads_the_coordinator_to_its_newest_version(
    client: Client, world: World, situation: Template
) -> None:
    round_ = make_round(world, situation)
    assert_matrix(
        client, _urls(situation, round_)["surveys:template"], _coordinator_only(world, 302)
    )


@pytest.mark.parametrize(
    "name",
    [
        "surveys:version_new",
        "surveys:section_move",
        "surveys:question_move",
        "surveys:builtin_fetch",
    ],
)
def test_the_builder_actions_are_the_coordinators(
    client: Client, world: World, situation: Template, name: str
) -> None:
    version = situation.versions.get()
    section = version.sections.all()[0]
    every_args: dict[str, list[object]] = {
        "surveys:version_new": [situation.pk],
        "surveys:section_move": [situation.pk, section.pk],
        "surveys:question_move": [situation.pk, section.questions.all()[0].pk],
        "surveys:builtin_fetch": ["mapping"],
    }
    args = every_args[name]
    coordinators = [world.user(Role.COORDINATOR)]
    if name == "surveys:builtin_fetch":  # into one's own municipality
        coordinators.append(world.user(Role.COORDINATOR, "eksjo"))
    expected: list[tuple[User | None, int | str]] = [(None, LOGIN)]
    expected += [(user, 302) for user in coordinators]
    expected += [(user, 404) for user in everyone_else(world, coordinators)]
    assert_matrix(client, reverse(name, args=args), expected, method="post", data={"lock": "1"})


@pytest.mark.parametrize(
    "name", ["surveys:round_close", "surveys:round_remind", "surveys:round_send"]
)
def test_round_actions_are_the_coordinators(
    client: Client, world: World, sent: SentRound, name: str
) -> None:
    coordinator = world.user(Role.COORDINATOR)
    expected: list[tuple[User | None, int | str]] = [(None, LOGIN), (coordinator, 302)]
    expected += [(user, 404) for user in everyone_else(world, [coordinator])]
    assert_matrix(client, reverse(name, args=[sent.round.pk]), expected, method="post")


def test_the_round_page_and_list_are_for_readers_and_the_analysis_group(
    client: Client, world: World, sent: SentRound
) -> None:
    intake = world.user(Role.INTAKE)
    AnalysisMember.objects.create(round=sent.round, user=intake, sector="social_services")
    readers = [
        world.user(role)
        for role in (Role.COORDINATOR, Role.MANAGER, Role.BOARD_MEMBER, Role.AUDITOR)
    ]
    allowed = [*readers, intake]
    expected = [(None, LOGIN)] + [(user, 200) for user in allowed]
    expected += [
        (user, 404) for user in everyone_else(world, allowed) if user.username.endswith("leksand")
    ]
    assert_matrix(client, reverse("surveys:round", args=[sent.round.pk]), expected)
    # The list: Leksand's readers see the round; the other municipality's readers an empty
    # list; everyone else (a teacher, the intake outside any group) a 404.
    listing = [(None, LOGIN)] + [(user, 200) for user in allowed]
    listing += [(world.user(Role.COORDINATOR, "eksjo"), 200), (world.user(Role.REPORTER), 404)]
    listing += [(world.user(Role.INTAKE, "eksjo"), 404), (world.user(Role.PRINCIPAL), 404)]
    assert_matrix(client, reverse("surveys:round_list"), listing)
    client.force_login(world.user(Role.COORDINATOR, "eksjo"))
    assert sent.round.title not in client.get(reverse("surveys:round_list")).content.decode()
    assert client.get(reverse("surveys:round", args=[sent.round.pk])).status_code == 404


def test_the_public_answer_pages_need_no_login(
    client: Client, world: World, sent: SentRound
) -> None:
    someone = [world.user(Role.REPORTER), world.user(Role.COORDINATOR, "eksjo")]
    everyone = [(None, 200), *[(user, 200) for user in someone]]
    assert_matrix(client, reverse("survey_answer:answer", args=[sent.token()]), everyone)
    assert_matrix(client, reverse("survey_answer:thanks"), everyone)


def test_the_round_list_costs_the_same_for_one_round_or_many(
    client: Client, world: World, situation: Template, django_assert_max_num_queries
) -> None:
    client.force_login(world.user(Role.COORDINATOR))
    make_round(world, situation, title="En")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("surveys:round_list"))
    for n in range(8):
        make_round(world, situation, title=f"Omgång {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("surveys:round_list"))
    assert "Omgång 7" in response.content.decode()
