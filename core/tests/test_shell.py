import pytest
from django.core.cache import cache
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from core.models import AccessibilityReport
from core.tests.logs import collected
from organisations.models import Role
from tests.matrix import LOGIN, assert_matrix


@pytest.mark.django_db
def test_healthz_reports_database_status(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_reports_a_broken_database(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr("core.views.connection.cursor", broken_cursor)
    with collected("django.request") as log:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    # One answer to the load balancer, not an ERROR line per probe.
    assert log.records == []


def test_start_page_needs_login_and_shows_each_role(client, world):
    assert_matrix(
        client, reverse("core:start"), [(None, LOGIN), (world.user(Role.COORDINATOR), 200)]
    )
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(reverse("core:start"), headers={"Accept-Language": "sv"}).content.decode()
    assert "Samordnare" in page
    assert "Leksand kommunkansli" in page


@pytest.mark.usefixtures("world")
def test_user_without_membership_is_told_to_contact_the_admin(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    page = client.get(reverse("core:start"), headers={"Accept-Language": "sv"}).content.decode()
    assert "administratör" in page


def test_navigation_follows_the_role(client, world):
    client.force_login(world.user(Role.BOARD_MEMBER))
    page = client.get(reverse("core:start")).content.decode()
    assert reverse("organisations:user_list") not in page
    assert reverse("access:log_review") not in page


@pytest.mark.django_db
def test_pages_carry_a_csp_with_a_nonce_and_a_request_id(client):
    response = client.get(reverse("core:accessibility"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "object-src 'none'" in policy
    assert response["X-Request-ID"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_accessibility_statement_is_public_and_takes_reports(client):
    url = reverse("core:accessibility")
    page = client.get(url)
    assert page.status_code == 200
    assert "WCAG 2.1" in page.content.decode()

    response = client.post(url, {"page": "Startsidan", "description": "", "contact": "x@y.se"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="error-summary"' in body
    assert 'value="Startsidan"' in body  # what the user typed is kept
    assert not AccessibilityReport.objects.exists()

    response = client.post(
        url, {"page": "Startsidan", "description": "Knappen syns inte i 400 %", "contact": ""}
    )
    assert response.status_code == 302
    assert AccessibilityReport.objects.get().description == "Knappen syns inte i 400 %"


@pytest.mark.django_db
def test_accessibility_reports_are_rate_limited(client):
    cache.clear()
    url = reverse("core:accessibility")
    for number in range(10):
        client.post(url, {"description": f"Problem {number}"})
    response = client.post(url, {"description": "one too many"})
    assert response.status_code == 200
    assert AccessibilityReport.objects.count() == 10
    cache.clear()


@pytest.mark.django_db
def test_the_accessibility_statement_names_who_is_responsible_and_how_to_reach_them(settings):
    settings.INSTALLATION_NAME = "Leksands kommun"
    settings.INSTALLATION_CONTACT = "samverkan@leksand.se"
    page = (
        Client(headers={"accept-language": "sv"})
        .get(reverse("core:accessibility"))
        .content.decode()
    )
    assert "Leksands kommun står bakom den här tjänsten." in page
    assert "Du når oss på samverkan@leksand.se." in page
    # DIGG's model statement: compliance status, what is not accessible, supervision.
    assert "delvis förenlig" in page
    assert "Innehåll som inte är tillgängligt" in page
    assert "https://www.digg.se/tdosanmalan" in page


@pytest.mark.django_db
def test_without_an_installation_name_the_statement_says_the_municipality(settings):
    settings.INSTALLATION_NAME = ""
    settings.INSTALLATION_CONTACT = ""
    page = (
        Client(headers={"accept-language": "sv"})
        .get(reverse("core:accessibility"))
        .content.decode()
    )
    assert "Kommunen som driver den här installationen" in page
    assert "Du når oss på" not in page


@pytest.mark.django_db
def test_the_login_page_names_the_installation(settings):
    settings.INSTALLATION_NAME = "Eksjö kommun"
    page = Client(headers={"accept-language": "sv"}).get(reverse("account_login")).content.decode()
    assert "För personalen i Eksjö kommun." in page
