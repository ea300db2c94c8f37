"""The users list's rows are written in Python (organisations/fragments.py) for speed; they
must give the markup of the template loop they replaced, in both languages, with every value
escaped. The loop is kept in ``reference/user_rows.html``, word for word."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import give_totp
from organisations import services
from organisations.fragments import user_rows_html
from organisations.models import Role, UnitKind
from organisations.tests.builders import new_user
from tests.markup import normalised
from tests.world import World

REFERENCE = (Path(__file__).parent / "reference" / "user_rows.html").read_text()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_rows_are_the_template_rows(client: Client, world: World, language: str) -> None:
    municipality = world.municipality()
    odd = new_user(
        username="udda",
        first_name='Ada <b>"A"</b>',
        last_name="Öberg & Co",
        email="a&b@example.se",
        municipality=municipality,
    )
    give_totp(odd)
    for role, kind in (
        (Role.INTAKE, UnitKind.INTAKE),
        (Role.BOARD_MEMBER, UnitKind.MUNICIPAL_OFFICE),
    ):
        services.membership_create(actor=None, user=odd, unit=world.unit(kind), role=role)
    missing = new_user(username="saknar", last_name="B", municipality=municipality)
    services.membership_create(
        actor=None, user=missing, unit=world.unit(UnitKind.INTAKE), role=Role.INTAKE
    )
    new_user(username="utan.namn", first_name="", last_name="", municipality=municipality)
    new_user(username="slutat", last_name="C", municipality=municipality, is_active=False)
    client.force_login(world.user(Role.MUNICIPAL_ADMIN))
    with translation.override(language):
        response = client.get(reverse("organisations:user_list"), HTTP_ACCEPT_LANGUAGE=language)
        page = response.context["page"]
        assert len(page.users) >= 5
        expected = Template(REFERENCE).render(Context({"page": page}))
        written = user_rows_html(page.users)
    assert normalised(written) == normalised(expected)
    assert normalised(str(response.context["rows_html"])) == normalised(expected)
    assert "Öberg &amp; Co, Ada &lt;b&gt;&quot;A&quot;&lt;/b&gt;" in written
    assert "<b>" not in written
    assert {"on", "missing", "off"} <= set(re.findall(r'data-two-factor="(\w+)"', written))
    assert "badge--danger" in written  # the deactivated account (and the missing app)


@pytest.mark.django_db
def test_no_users_no_markup() -> None:
    assert user_rows_html([]) == ""
