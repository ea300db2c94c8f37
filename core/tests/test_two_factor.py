"""Two-factor on every path that reaches data: for Django admin staff and superusers, and for
anyone who has written a report (a draft is enough), whatever roles they hold today."""

import pytest
from django.test import Client
from django.urls import reverse

from core.middleware import TWO_FACTOR_NOT_TRIGGERED
from core.security import two_factor_required
from organisations import services as organisation_services
from organisations.models import Role, UnitKind, User
from reports import services_school as report_services
from reports.tests import builders
from tests.factories import TEST_PASSWORD, UserFactory
from tests.world import World

SET_UP = reverse("mfa_activate_totp")
SWEDISH_MESSAGE = (
    "Ditt konto måste använda tvåfaktorsautentisering. Lägg till en autentiseringsapp innan "
    "du fortsätter."
)
ADMIN_PAGES = (
    reverse("admin:index"),
    reverse("admin:organisations_user_changelist"),
    reverse("admin:mfa_authenticator_changelist"),
    reverse("admin:access_accesslog_changelist"),
)


def first_draft(world: World, author: User):
    membership = author.memberships.get(role=Role.REPORTER)
    return report_services.report_draft_create(
        author=author, membership=membership, school_unit=world.unit(UnitKind.SCHOOL)
    )


# -- the Django admin ------------------------------------------------------------------------


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_staff": True, "is_superuser": True}])
@pytest.mark.django_db
def test_admin_staff_without_totp_are_sent_to_set_it_up_before_any_admin_page(client, flags):
    operator = UserFactory.create(username="operator", **flags)
    client.force_login(operator)

    assert two_factor_required(operator)
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == SET_UP, path
    assert client.post(reverse("admin:organisations_user_changelist"), {})["Location"] == SET_UP


@pytest.mark.django_db
def test_the_set_up_page_says_why_in_swedish():
    swedish = Client(headers={"Accept-Language": "sv"})
    swedish.force_login(UserFactory.create(username="operator", is_staff=True))

    page = swedish.get(reverse("admin:index"), follow=True)

    # The set-up first asks for the password again (allauth), with the message on top.
    assert page.redirect_chain[0] == (SET_UP, 302)
    assert SWEDISH_MESSAGE in page.content.decode()


@pytest.mark.django_db
def test_admin_staff_with_totp_reach_the_admin(client, totp):
    operator = UserFactory.create(username="operator", is_staff=True, is_superuser=True)
    totp(operator)
    client.force_login(operator)

    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_mode")
def test_demo_mode_still_asks_nobody(client):
    client.force_login(UserFactory.create(username="operator", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_an_htmx_request_is_sent_to_the_set_up_as_a_whole_page(client):
    client.force_login(UserFactory.create(username="operator", is_staff=True))

    response = client.get(reverse("core:start"), headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"] == SET_UP


# -- reporters -------------------------------------------------------------------------------


def test_a_reporter_with_only_a_draft_must_set_up_totp(client, world):
    teacher = world.user(Role.REPORTER)
    first_draft(world, teacher)
    client.force_login(teacher)

    assert two_factor_required(teacher)
    for path in (reverse("core:start"), reverse("reports:new")):
        assert client.get(path)["Location"] == SET_UP, path


def test_a_reporter_without_any_report_needs_no_two_factor(client, world):
    client.force_login(world.user(Role.REPORTER))
    assert client.get(reverse("core:start")).status_code == 200


@pytest.mark.parametrize("submitted", [False, True])
def test_a_former_reporter_given_a_board_role_still_needs_totp(client, world, submitted):
    teacher = world.user(Role.REPORTER)
    (builders.submitted if submitted else builders.draft)(world, author=teacher)
    organisation_services.membership_end(
        actor=None, membership=teacher.memberships.get(role=Role.REPORTER)
    )
    organisation_services.membership_create(
        actor=None,
        user=teacher,
        unit=world.unit(UnitKind.MUNICIPAL_OFFICE),
        role=Role.BOARD_MEMBER,
    )
    client.force_login(teacher)

    assert two_factor_required(teacher)
    assert client.get(reverse("core:start"))["Location"] == SET_UP


def test_the_first_draft_of_a_session_requires_totp_from_the_next_request(client, world):
    teacher = world.user(Role.REPORTER)
    client.force_login(teacher)
    assert client.get(reverse("core:start")).status_code == 200
    # The triggers' "no" is kept in the session, so that pages cost no extra query...
    assert client.session[TWO_FACTOR_NOT_TRIGGERED] == teacher.pk

    saved = client.post(reverse("reports:new"), {"school": world.unit(UnitKind.SCHOOL).pk})

    # ...but the write that made the first draft asks again: the draft is kept, and the
    # next page is the set-up.
    assert saved.status_code == 302
    assert teacher.concern_reports.count() == 1
    assert TWO_FACTOR_NOT_TRIGGERED not in client.session
    assert client.get(saved["Location"])["Location"] == SET_UP
    assert client.get(reverse("core:start"))["Location"] == SET_UP


def test_a_report_made_outside_the_session_counts_at_the_next_login(client, world):
    teacher = world.user(Role.REPORTER)
    client.post(reverse("account_login"), {"login": teacher.username, "password": TEST_PASSWORD})
    assert client.get(reverse("core:start")).status_code == 200

    first_draft(world, teacher)
    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": teacher.username, "password": TEST_PASSWORD})

    assert client.get(reverse("core:start"))["Location"] == SET_UP


def test_a_role_given_mid_session_counts_at_once(client, world):
    user = world.user(Role.COORDINATOR)
    client.force_login(user)
    assert client.get(reverse("core:start")).status_code == 200

    organisation_services.membership_create(
        actor=None, user=user, unit=world.unit(UnitKind.SCHOOL), role=Role.PRINCIPAL
    )

    assert client.get(reverse("core:start"))["Location"] == SET_UP


def test_the_staff_flag_given_mid_session_counts_at_once(client, world):
    user = world.user(Role.COORDINATOR)
    client.force_login(user)
    assert client.get(reverse("core:start")).status_code == 200

    User.objects.filter(pk=user.pk).update(is_staff=True)

    assert client.get(reverse("core:start"))["Location"] == SET_UP
