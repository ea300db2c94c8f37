"""A refused form (its CSRF token no longer matches, as after a new login in another tab)
gets a page in our layout, in Swedish, that says what happened and what to do: status 403."""

import pytest
from django.test import Client
from django.urls import reverse

from organisations.models import Role
from tests.world import World


@pytest.fixture
def strict_client() -> Client:
    # The test client skips the CSRF check unless asked; the browser never does.
    return Client(enforce_csrf_checks=True, headers={"Accept-Language": "sv"})


def test_a_refused_form_gets_our_page_in_swedish_with_403(strict_client, world: World) -> None:
    strict_client.force_login(world.user(Role.REPORTER))
    back = reverse("reports:new")
    response = strict_client.post(
        reverse("core:accessibility"),
        {"message": "x"},
        headers={"Referer": f"http://testserver{back}?school=1"},
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert 'class="site-header"' in page  # our layout
    assert 'class="site-footer"' in page
    assert "<h1>Sidan var inaktuell</h1>" in page
    assert "Det du skickade sparades inte." in page
    assert f'href="{back}?school=1"' in page  # back to the page that sent the form
    assert f'href="{reverse("core:start")}"' in page
    assert response.templates[0].name == "403_csrf.html"


def test_a_foreign_referer_is_not_offered_as_the_way_back(strict_client, world: World) -> None:
    strict_client.force_login(world.user(Role.REPORTER))
    response = strict_client.post(
        reverse("core:accessibility"),
        {"message": "x"},
        headers={"Referer": "https://evil.example/phish"},
    )
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()


@pytest.mark.django_db
def test_a_refused_form_while_logged_out_gets_the_page_too(strict_client) -> None:
    response = strict_client.post(reverse("account_login"), {"login": "x", "password": "y"})
    assert response.status_code == 403
    assert "<h1>Sidan var inaktuell</h1>" in response.content.decode()
