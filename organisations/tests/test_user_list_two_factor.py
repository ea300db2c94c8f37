"""The users list shows whether each account has set up two-factor authentication, and marks
a missing app where a role requires one, at the same cost in queries for any number of users."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import give_totp
from organisations import services
from organisations.models import Role, UnitKind, User
from organisations.tests.builders import new_user
from tests.world import World

URL = reverse("organisations:user_list")


def _status(page: str, user: User) -> str:
    """The row's two-factor state as the page marks it (on, missing or off)."""
    row = page[page.index(f">{user.username}<") :]
    marker = 'data-two-factor="'
    start = row.index(marker) + len(marker)
    return row[start : row.index('"', start)]


def test_each_user_shows_whether_two_factor_is_set_up(client: Client, world: World) -> None:
    admin = world.user(Role.MUNICIPAL_ADMIN)
    municipality = world.municipality()
    with_app = new_user(username="med.app", last_name="A", municipality=municipality)
    give_totp(with_app)
    # An intake worker must have two-factor; a board member need not.
    needs_it = new_user(username="saknar.app", last_name="B", municipality=municipality)
    services.membership_create(
        actor=None, user=needs_it, unit=world.unit(UnitKind.INTAKE), role=Role.INTAKE
    )
    need_not = new_user(username="styrelse", last_name="C", municipality=municipality)
    services.membership_create(
        actor=None,
        user=need_not,
        unit=world.unit(UnitKind.MUNICIPAL_OFFICE),
        role=Role.BOARD_MEMBER,
    )
    client.force_login(admin)
    page = client.get(URL).content.decode()
    assert _status(page, with_app) == "on"
    assert _status(page, needs_it) == "missing"
    assert _status(page, need_not) == "off"
    assert "Missing, required for the role" in page
    assert "Two-factor authentication" in page

    swedish = Client(headers={"Accept-Language": "sv"})
    swedish.force_login(admin)
    page = swedish.get(URL).content.decode()
    for words in ("Tvåfaktorsautentisering", "Inställd", "Saknas, krävs för rollen"):
        assert words in page


def test_in_demo_mode_nothing_is_required(client: Client, world: World, settings) -> None:
    settings.DEMO_MODE = True
    needs_it = new_user(username="saknar.app", last_name="B", municipality=world.municipality())
    services.membership_create(
        actor=None, user=needs_it, unit=world.unit(UnitKind.INTAKE), role=Role.INTAKE
    )
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    assert _status(client.get(URL).content.decode(), needs_it) == "off"


def test_the_two_factor_column_costs_no_query_per_user(
    client: Client, world: World, django_assert_num_queries
) -> None:
    municipality = world.municipality()
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    client.get(URL)  # the first request of a session also records the session's start
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for index in range(40):
        user = new_user(username=f"u{index:02d}", last_name=f"L{index}", municipality=municipality)
        if index % 2:
            give_totp(user)
    with django_assert_num_queries(len(few)) as many:
        response = client.get(URL)
    assert len(response.context["page"].users) == 50
    user_queries = [q["sql"] for q in many.captured_queries if "organisations_user" in q["sql"]]
    assert any("mfa_authenticator" in sql for sql in user_queries)  # in the same read
