"""The Django admin can not take over an account: it sets nobody's password, creates no
accounts, and shows authenticators, e-mail addresses and identity-provider links read-only.
Superusers included."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from organisations.models import Role, User
from tests.factories import TEST_PASSWORD
from tests.world import World

NEW_PASSWORD = "Admin-valde-det-här-42"


@pytest.fixture
def root(db, totp) -> User:  # noqa: ARG001 - asks pytest for the database
    root = User.objects.create_superuser("root", "root@example.org", "a-long-test-password-1")
    totp(root)
    return root


@pytest.fixture
def root_client(client: Client, root: User) -> Client:
    client.force_login(root)
    return client


@pytest.fixture
def victim(world: World) -> User:
    user = world.user(Role.INTAKE)
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "VICTIMSECRET234567"}
    )
    return user


# -- authenticators ----------------------------------------------------------------------------


def test_an_authenticator_is_shown_without_its_secret_and_can_not_be_changed(root_client, victim):
    authenticator = Authenticator.objects.get(user=victim)
    change_url = reverse("admin:mfa_authenticator_change", args=[authenticator.pk])

    assert root_client.get(reverse("admin:mfa_authenticator_changelist")).status_code == 200
    page = root_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "VICTIMSECRET234567" not in page.content.decode()
    assert root_client.get(reverse("admin:mfa_authenticator_add")).status_code == 403
    assert root_client.post(change_url, {"type": "recovery_codes"}).status_code == 403


def test_an_admin_can_not_delete_another_users_authenticator(root_client, victim):
    authenticator = Authenticator.objects.get(user=victim)
    delete_url = reverse("admin:mfa_authenticator_delete", args=[authenticator.pk])

    assert root_client.get(delete_url).status_code == 403
    assert root_client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = root_client.post(
        reverse("admin:mfa_authenticator_changelist"),
        {"action": "delete_selected", "_selected_action": [authenticator.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert Authenticator.objects.filter(pk=authenticator.pk).exists()


# -- passwords and accounts --------------------------------------------------------------------


def test_an_admin_can_not_set_another_users_password(root_client, victim):
    password_url = reverse("admin:auth_user_password_change", args=[victim.pk])

    assert root_client.get(password_url).status_code == 403
    response = root_client.post(
        password_url,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 403
    victim.refresh_from_db()
    assert victim.check_password(TEST_PASSWORD)
    assert not victim.check_password(NEW_PASSWORD)


def test_the_user_form_has_no_password_field_nor_link_and_ignores_one(root_client, victim):
    change_url = reverse("admin:organisations_user_change", args=[victim.pk])
    page = root_client.get(change_url).content.decode()

    assert 'name="password"' not in page
    assert "password/" not in page
    assert 'name="email"' not in page  # resets and identity-provider logins go to it

    response = root_client.post(
        change_url,
        {
            "username": victim.username,
            "password": NEW_PASSWORD,
            "email": "attacker@example.org",
            "first_name": "Ny",
            "last_name": victim.last_name,
            "is_active": "on",
            "municipality": victim.municipality_id,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    victim.refresh_from_db()
    assert victim.first_name == "Ny"  # the rest of the form works
    assert victim.check_password(TEST_PASSWORD)
    assert victim.email != "attacker@example.org"


def test_no_account_is_created_in_the_admin(root_client):
    add_url = reverse("admin:organisations_user_add")

    assert root_client.get(add_url).status_code == 403
    response = root_client.post(
        add_url,
        {"username": "planted", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 403
    assert not User.objects.filter(username="planted").exists()


# -- e-mail addresses and identity-provider links ----------------------------------------------


def test_e_mail_addresses_are_read_only(root_client, victim):
    address = EmailAddress.objects.create(user=victim, email=victim.email, verified=True)
    change_url = reverse("admin:account_emailaddress_change", args=[address.pk])

    assert root_client.get(change_url).status_code == 200
    response = root_client.post(
        change_url,
        {"user": victim.pk, "email": "attacker@example.org", "verified": "on", "primary": "on"},
    )

    assert response.status_code == 403
    assert root_client.get(reverse("admin:account_emailaddress_add")).status_code == 403
    address.refresh_from_db()
    assert address.email == victim.email


def test_identity_provider_links_can_not_be_added(root_client, victim):
    response = root_client.post(
        reverse("admin:socialaccount_socialaccount_add"),
        {"user": victim.pk, "provider": "municipality", "uid": "attacker", "extra_data": "{}"},
    )

    assert response.status_code == 403
    assert not SocialAccount.objects.exists()
