"""Login through OpenID Connect, end to end against the fake identity provider.

The provider is configured exactly as in production: the ``OIDC_*`` environment variables are
set and ``config/settings.py`` is evaluated again to build ``SOCIALACCOUNT_PROVIDERS``. The
callback then makes real HTTP calls to the fake provider's token, userinfo and JWKS endpoints.
"""

import runpy
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, parse_qsl, urlsplit

import jwt
import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse

from core.tests.test_auth import assert_in_layout
from organisations.models import Role, User
from tests.factories import TEST_PASSWORD, UserFactory
from tests.fake_idp import CLIENT_ID, CLIENT_SECRET, FakeIdP, new_signing_key, running_fake_idp

PROVIDER_ID = "kommun-idp"


# Every test here logs in or looks up accounts.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def idp() -> Iterator[FakeIdP]:
    with running_fake_idp() as provider:
        yield provider


def providers_from_environment(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:
    """``SOCIALACCOUNT_PROVIDERS`` as ``config/settings.py`` builds it from these variables."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    namespace = runpy.run_path(str(django_settings.BASE_DIR / "config" / "settings.py"))
    return namespace["SOCIALACCOUNT_PROVIDERS"]


@pytest.fixture
def oidc(idp: FakeIdP, settings, monkeypatch) -> FakeIdP:
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_environment(
        monkeypatch,
        OIDC_PROVIDER_ID=PROVIDER_ID,
        OIDC_NAME="Kommunens e-legitimation",
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_SERVER_URL=idp.url,
    )
    return idp


def registered(email: str) -> User:
    """An account the municipal admin made, with a password and this e-mail address."""
    user: User = UserFactory.create(email=email)
    return user


def start_login(client: Client, idp: FakeIdP) -> str:
    """Press the provider's button and follow the redirect to the provider: the callback URL
    the provider sends the browser back to (with a code it issued and the state)."""
    response = client.post(reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}))
    assert response.status_code == 302
    authorize_url = response["Location"]
    assert authorize_url.startswith(f"{idp.url}/authorize?")
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"]
    assert "openid" in query["scope"][0].split()
    answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def finish_login(client: Client, callback_url: str, **changes: str):
    parts = urlsplit(callback_url)
    assert parts.path == reverse("openid_connect_callback", kwargs={"provider_id": PROVIDER_ID})
    params = dict(parse_qsl(parts.query))
    params.update(changes)
    return client.get(parts.path, params)


def logged_in_user(client: Client) -> User | None:
    response = client.get(reverse("core:start"))
    user = response.wsgi_request.user
    return user if user.is_authenticated else None


@pytest.mark.usefixtures("oidc")
def test_the_login_page_offers_the_configured_provider(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "Kommunens e-legitimation" in page
    assert reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}) in page


def test_the_provider_pages_are_in_our_layout(client, oidc):
    confirm = client.get(reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}))
    assert confirm.status_code == 200  # a GET only asks; the login starts with a POST
    assert_in_layout(confirm.content.decode())
    registered("anna@leksand.se")
    oidc.login_as(sub="idp-anna", email="anna@leksand.se")
    failed = finish_login(client, start_login(client, oidc), state="forged-state")
    assert_in_layout(failed.content.decode())
    oidc.login_as(sub="idp-stranger", email="stranger@example.com")
    closed = finish_login(client, start_login(client, oidc))
    assert_in_layout(closed.content.decode())


def test_without_oidc_variables_no_provider_is_configured(monkeypatch, settings):
    monkeypatch.delenv("OIDC_PROVIDER_ID", raising=False)
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_environment(monkeypatch)
    assert settings.SOCIALACCOUNT_PROVIDERS == {}
    response = Client().post(reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}))
    assert response.status_code == 404


def test_a_registered_user_is_logged_in_and_connected(client, oidc):
    user = registered("Anna.Andersson@leksand.se")
    oidc.login_as(sub="idp-anna", email="anna.andersson@leksand.se", name="Anna Andersson")

    response = finish_login(client, start_login(client, oidc))

    assert response.status_code == 302
    assert response["Location"] == reverse("core:start")
    assert logged_in_user(client) == user
    # The callback really talked to the provider, with the client secret and the PKCE verifier.
    assert ("POST", "/token") in oidc.requests
    assert ("GET", "/userinfo") in oidc.requests
    assert oidc.token_requests[0]["client_secret"] == CLIENT_SECRET
    assert oidc.token_requests[0]["code_verifier"]
    # The identity is connected for next time, and the account's password is left alone.
    assert SocialAccount.objects.get(user=user).uid == "idp-anna"
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified


def test_a_connected_identity_logs_in_even_after_the_address_changed(client, oidc):
    user = registered("anna@leksand.se")
    oidc.login_as(sub="idp-anna", email="anna@leksand.se")
    finish_login(client, start_login(client, oidc))
    client.logout()

    oidc.login_as(sub="idp-anna", email="anna.ny@leksand.se")
    finish_login(client, start_login(client, oidc))

    assert logged_in_user(client) == user


def test_client_secret_basic_works_when_configured(idp, settings, monkeypatch, client):
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_environment(
        monkeypatch,
        OIDC_PROVIDER_ID=PROVIDER_ID,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_SERVER_URL=idp.url,
        OIDC_TOKEN_AUTH_METHOD="client_secret_basic",
    )
    user = registered("bo@eksjo.se")
    idp.login_as(sub="idp-bo", email="bo@eksjo.se")

    finish_login(client, start_login(client, idp))

    assert "client_secret" not in idp.token_requests[0]
    assert logged_in_user(client) == user


def test_an_unknown_person_gets_no_account_and_is_not_logged_in(client, oidc):
    registered("anna@leksand.se")
    users_before = User.objects.count()
    oidc.login_as(sub="idp-stranger", email="stranger@example.com")

    response = finish_login(client, start_login(client, oidc))

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is no account for you" in page
    assert "administrator" in page  # says who creates accounts
    assert User.objects.count() == users_before
    assert not SocialAccount.objects.exists()
    assert logged_in_user(client) is None


def test_an_address_the_provider_has_not_verified_is_not_enough(client, oidc):
    registered("anna@leksand.se")
    oidc.login_as(sub="idp-anna", email="anna@leksand.se", email_verified=False)

    finish_login(client, start_login(client, oidc))

    assert logged_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_oidc_email_verified_trusts_the_providers_addresses(idp, settings, monkeypatch):
    settings.SOCIALACCOUNT_PROVIDERS = providers_from_environment(
        monkeypatch,
        OIDC_PROVIDER_ID=PROVIDER_ID,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_SERVER_URL=idp.url,
        OIDC_EMAIL_VERIFIED="true",
    )
    user = registered("anna@leksand.se")
    idp.login_as(sub="idp-anna", email="anna@leksand.se", email_verified=False)
    client = Client()

    finish_login(client, start_login(client, idp))

    assert logged_in_user(client) == user


def test_two_accounts_with_the_same_address_are_ambiguous(client, oidc):
    registered("delad@leksand.se")
    registered("DELAD@leksand.se")
    oidc.login_as(sub="idp-shared", email="delad@leksand.se")

    finish_login(client, start_login(client, oidc))

    assert logged_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_an_address_the_user_added_themselves_does_not_count(client, oidc):
    owner = registered("")
    EmailAddress.objects.create(user=owner, email="chef@leksand.se", verified=False)
    oidc.login_as(sub="idp-chef", email="chef@leksand.se")

    finish_login(client, start_login(client, oidc))

    assert logged_in_user(client) is None


def test_a_wrong_state_is_refused(client, oidc):
    registered("anna@leksand.se")
    oidc.login_as(sub="idp-anna", email="anna@leksand.se")

    response = finish_login(client, start_login(client, oidc), state="forged-state")

    assert response.status_code == 401
    assert "The login through the identity provider failed" in response.content.decode()
    assert oidc.token_requests == []  # the code was never redeemed
    assert logged_in_user(client) is None


def test_a_callback_without_a_started_login_is_refused(oidc):
    registered("anna@leksand.se")
    oidc.login_as(sub="idp-anna", email="anna@leksand.se")
    callback_url = start_login(Client(), oidc)  # started in another browser

    attacker = Client()
    finish_login(attacker, callback_url)

    assert oidc.token_requests == []
    assert logged_in_user(attacker) is None


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"iss": "https://evil.example"}, id="other issuer"),
        pytest.param({"aud": "some-other-client"}, id="other audience"),
        pytest.param({"exp": int(time.time()) - 3600}, id="expired"),
    ],
)
def test_an_id_token_that_does_not_check_out_is_refused(client, oidc, overrides):
    registered("anna@leksand.se")
    oidc.login_as(sub="idp-anna", email="anna@leksand.se", id_token_overrides=overrides)

    finish_login(client, start_login(client, oidc))

    assert ("POST", "/token") in oidc.requests
    assert logged_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_a_token_signed_with_another_key_is_refused_where_allauth_checks_signatures(oidc):
    """In the code flow above allauth takes the ID token straight from the provider's token
    endpoint (over TLS in production) and, as OpenID Connect Core 3.1.3.7 allows, does not
    check its signature; issuer, audience and expiry are checked. Where a token is handed to
    allauth instead (``verify_token``), the signature is checked against the provider's JWKS."""
    request = RequestFactory().get("/")
    request.session = {}  # type: ignore[assignment]
    from allauth.socialaccount.adapter import get_adapter

    app = get_adapter().get_app(request, PROVIDER_ID)
    provider = OpenIDConnectProvider(request, app=app)

    def token(key) -> str:
        now = int(time.time())
        claims = {"iss": oidc.url, "aud": CLIENT_ID, "sub": "idp-x", "iat": now, "exp": now + 60}
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": oidc.kid})

    good = provider.verify_token(request, {"id_token": token(oidc.key)})
    assert good.account.uid == "idp-x"
    with pytest.raises(ValidationError):
        provider.verify_token(request, {"id_token": token(new_signing_key())})
    assert ("GET", "/jwks") in oidc.requests


def test_two_factor_is_asked_after_an_identity_provider_login(client, oidc, world):
    user = world.user(Role.INTAKE)
    user.email = "intake@leksand.se"
    user.save()
    secret = totp.generate_totp_secret()
    totp.TOTP.activate(user, secret)
    oidc.login_as(sub="idp-intake", email="intake@leksand.se")

    response = finish_login(client, start_login(client, oidc))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert logged_in_user(client) is None
    code = totp.format_hotp_value(totp.hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert logged_in_user(client) == user
    assert Authenticator.objects.filter(user=user).exists()
