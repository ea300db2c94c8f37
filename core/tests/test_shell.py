import pytest
from django.urls import reverse

from organisations.models import Role
from tests.matrix import LOGIN, assert_matrix


@pytest.mark.django_db
def test_healthz_reports_database_status(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_start_page_needs_login_and_shows_each_role(client, world, demo_mode):
    assert_matrix(client, reverse("core:start"), [(None, LOGIN), (world.user(Role.INTAKE), 200)])
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(reverse("core:start")).content.decode()
    assert "Samordnare" in page or "Coordinator" in page
