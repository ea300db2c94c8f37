"""Login security: two-factor for the roles that see identified children, rate limits, session
expiry after inactivity, logging out everywhere, password rules, and allauth's pages in our
layout. Logins go through allauth's real views with real TOTP codes computed from the secret.
"""

import datetime
import runpy
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import cast

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal import auth as totp
from allauth.usersessions.models import UserSession
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import AuditEvent, AuditEventType
from core.security import ROLES_REQUIRING_TWO_FACTOR
from organisations import services
from organisations.models import Role, User
from reports.tests import builders
from tests.factories import TEST_PASSWORD

NEW_PASSWORD = "Lingonsylt-och-kanel-47"


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Rate-limit counters and used TOTP codes live in the cache: no test may see another's."""
    cache.clear()
    yield
    cache.clear()


def english_client() -> Client:
    return Client(headers={"accept-language": "en"})


# -- helpers ---------------------------------------------------------------------------------


def code_for(secret: str, *, at: float | None = None) -> str:
    counter = int(time.time() if at is None else at) // mfa_settings.TOTP_PERIOD
    return totp.format_hotp_value(totp.hotp_value(secret, counter))


def wrong_code_for(secret: str) -> str:
    """A six-digit code that is not valid in any time step of the tolerance window."""
    now = time.time()
    valid = {code_for(secret, at=now + step * mfa_settings.TOTP_PERIOD) for step in (-1, 0, 1)}
    candidate = 0
    while f"{candidate:06d}" in valid:
        candidate += 1
    return f"{candidate:06d}"


def password_login(client: Client, user: User, password: str = TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": user.username, "password": password})


def current_user(client: Client) -> User | None:
    """Who the client is logged in as, seen from a public page (no redirects in the way)."""
    user = client.get(reverse("core:accessibility")).wsgi_request.user
    return user if user.is_authenticated else None


def activate_totp(user: User) -> str:
    """Give the user an authenticator app the way allauth's activation does."""
    secret = totp.generate_totp_secret()
    totp.TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# -- two-factor ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(ROLES_REQUIRING_TWO_FACTOR))
def test_roles_that_see_identified_children_must_set_up_two_factor(client, world, role):
    client.force_login(world.user(role))

    for path in (reverse("core:start"), "/organisation/units/", "/any/app/page/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_activate_totp"), path
    # Setting it up, logging out and the public pages stay reachable.
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("core:accessibility")).status_code == 200


def test_intake_is_required_two_factor_and_the_others_in_the_list_too():
    assert {
        Role.INTAKE,
        Role.STUDENT_HEALTH,
        Role.MEDICAL_STUDENT_HEALTH,
        Role.PRINCIPAL,
    } <= ROLES_REQUIRING_TWO_FACTOR


@pytest.mark.parametrize(
    "role", [Role.COORDINATOR, Role.BOARD_MEMBER, Role.AUDITOR, Role.MANAGER, Role.REPORTER]
)
def test_roles_without_identified_children_need_no_two_factor(client, world, role):
    client.force_login(world.user(role))
    assert client.get(reverse("core:start")).status_code == 200


def test_set_up_and_then_every_login_needs_the_code(client, world):
    user = world.user(Role.INTAKE)

    # First login: the password is enough to get in, but only as far as the set-up.
    response = password_login(client, user)
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before a new authenticator is added.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": TEST_PASSWORD})
    assert response["Location"] == reverse("mfa_activate_totp")

    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[totp.SECRET_SESSION_KEY]
    assert secret in page.content.decode()  # the key to type in by hand
    refused = client.post(reverse("mfa_activate_totp"), {"code": wrong_code_for(secret)})
    assert refused.status_code == 200
    assert not Authenticator.objects.filter(user=user).exists()
    response = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("core:start")).status_code == 200

    # Next login: the password alone does not log in.
    client.post(reverse("account_logout"))
    response = password_login(client, user)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert current_user(client) is None
    assert is_login_redirect(client.get(reverse("core:start")))

    wrong = client.post(reverse("mfa_authenticate"), {"code": wrong_code_for(secret)})
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()
    assert current_user(client) is None

    response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:start")
    assert current_user(client) == user
    assert client.get(reverse("core:start")).status_code == 200


def test_a_code_can_not_be_used_twice(client, world):
    user = world.user(Role.STUDENT_HEALTH)
    secret = activate_totp(user)
    code = code_for(secret)
    password_login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert current_user(client) == user

    other = english_client()
    password_login(other, user)
    response = other.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert current_user(other) is None


def test_a_recovery_code_works_instead_of_the_app(client, world):
    user = world.user(Role.PRINCIPAL)
    activate_totp(user)
    recovery_code = RecoveryCodes(
        Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()[0]

    password_login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": recovery_code})

    assert current_user(client) == user


def test_switching_the_app_off_sends_the_user_back_to_set_up(client, world):
    user = world.user(Role.MEDICAL_STUDENT_HEALTH)
    secret = activate_totp(user)
    password_login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("core:start"))["Location"] == reverse("mfa_activate_totp")


def test_the_django_admin_logs_in_through_allauth(client, world):
    response = client.get(reverse("admin:login"))
    assert is_login_redirect(response)
    staff = world.user(Role.INTAKE)
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    # A staff member who needs two-factor and has none does not get into the admin either.
    assert client.get(reverse("admin:index"))["Location"] == reverse("mfa_activate_totp")


# -- demo mode ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("demo_mode")
def test_demo_mode_asks_nobody_for_two_factor(client, world):
    client.force_login(world.user(Role.INTAKE))
    assert client.get(reverse("core:start")).status_code == 200


@pytest.mark.parametrize("name", ["core:start", "account_login", "core:accessibility"])
@pytest.mark.usefixtures("demo_mode")
def test_demo_mode_shows_the_banner_on_every_page(world, name):
    for browser in (english_client(), Client(headers={"accept-language": "sv"})):
        if name == "core:start":
            browser.force_login(world.user(Role.COORDINATOR))
        page = browser.get(reverse(name)).content.decode()
        assert 'class="demo-banner"' in page
        assert "Demo" in page


@pytest.mark.django_db
def test_without_demo_mode_there_is_no_banner(client):
    assert 'class="demo-banner"' not in client.get(reverse("account_login")).content.decode()


# -- rate limiting -----------------------------------------------------------------------------


def failed_logins_allowed_per_account() -> int:
    rates = django_settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    return min(int(rate.split("/")[0]) for rate in rates if rate.endswith("/key"))


def test_after_the_allowed_failed_logins_even_the_right_password_is_refused(client, world):
    user = world.user(Role.COORDINATOR)
    allowed = failed_logins_allowed_per_account()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)) as clock:
        for _ in range(allowed):
            response = password_login(client, user, "wrong-password-123")
            assert "are not correct" in response.content.decode()

        response = password_login(client, user)
        assert response.status_code == 200
        assert "Too many failed login attempts. Try again later." in response.content.decode()
        assert current_user(client) is None

        # Another account from the same address is not locked with it.
        assert password_login(english_client(), world.user(Role.AUDITOR)).status_code == 302

        clock.shift(datetime.timedelta(minutes=6))
        assert password_login(client, user).status_code == 302
        assert current_user(client) == user


def test_failed_logins_from_one_address_are_limited_across_accounts(client, world, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/ip"}
    for role in (Role.COORDINATOR, Role.AUDITOR, Role.MANAGER):
        password_login(client, world.user(role), "wrong-password-123")

    response = password_login(client, world.user(Role.BOARD_MEMBER))

    assert "Too many failed login attempts" in response.content.decode()
    assert current_user(client) is None


def test_guessing_two_factor_codes_is_limited(client, world):
    user = world.user(Role.INTAKE)
    secret = activate_totp(user)
    password_login(client, user)
    for _ in range(failed_logins_allowed_per_account()):
        client.post(reverse("mfa_authenticate"), {"code": wrong_code_for(secret)})

    response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})

    assert "Too many failed login attempts" in response.content.decode()
    assert current_user(client) is None


def test_too_many_requests_get_an_understandable_page_in_our_layout(client, world, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    user = world.user(Role.COORDINATOR)
    password_login(client, user, "wrong-password-123")
    password_login(client, user, "wrong-password-123")

    response = password_login(client, user)

    assert response.status_code == 429
    page = response.content.decode()
    assert_in_layout(page)
    assert "Too many attempts" in page
    assert "Wait a few minutes and try again" in page
    assert current_user(client) is None


# -- session expiry ----------------------------------------------------------------------------


def test_the_idle_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_SECONDS", "900")
    namespace = runpy.run_path(str(django_settings.BASE_DIR / "config" / "settings.py"))
    assert namespace["SESSION_COOKIE_AGE"] == 900
    assert "core.middleware.IdleSessionMiddleware" in namespace["MIDDLEWARE"]


def test_activity_saves_the_session_at_most_once_a_minute(client, world, django_assert_num_queries):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)) as clock:
        client.force_login(world.user(Role.COORDINATOR))
        client.get(reverse("core:start"))
        # the user only (the session, memberships and the unread count from the shared cache),
        # no write
        with django_assert_num_queries(1):
            client.get(reverse("core:start"))
        clock.shift(datetime.timedelta(seconds=61))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("core:start"))
        writes = [query["sql"] for query in queries if query["sql"].startswith("UPDATE")]
        assert len(writes) == 1
        assert "django_session" in writes[0]


def test_the_session_ends_after_inactivity_and_activity_extends_it(client, world):
    idle = datetime.timedelta(seconds=django_settings.SESSION_COOKIE_AGE)
    minute = datetime.timedelta(minutes=1)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)) as clock:
        assert password_login(client, world.user(Role.COORDINATOR)).status_code == 302

        # Busy for longer than the limit in all, never idle for as long as the limit.
        for _ in range(3):
            clock.shift(idle - minute)
            assert client.get(reverse("core:start")).status_code == 200

        clock.shift(idle + minute)
        response = client.get(reverse("core:start"))
        assert is_login_redirect(response)
        assert current_user(client) is None


# -- logging out everywhere --------------------------------------------------------------------


def test_a_user_can_end_all_their_other_sessions(world):
    user = world.user(Role.COORDINATOR)
    laptop, phone = english_client(), english_client()
    password_login(laptop, user)
    password_login(phone, user)

    page = laptop.get(reverse("usersessions_list"))
    assert page.status_code == 200
    assert page.content.decode().count("<tr>") == 3  # a header row and two sessions
    assert_in_layout(page.content.decode())

    response = laptop.post(reverse("usersessions_list"))

    assert response.status_code == 302
    assert is_login_redirect(phone.get(reverse("core:start")))
    assert laptop.get(reverse("core:start")).status_code == 200
    assert UserSession.objects.filter(user=user).count() == 1


def test_the_admin_service_ends_every_session_of_a_user(world):
    user = world.user(Role.COORDINATOR)
    admin = world.user(Role.MUNICIPAL_ADMIN)
    laptop, phone = english_client(), english_client()
    password_login(laptop, user)
    password_login(phone, user)

    ended = services.user_sessions_end(actor=admin, user=user)

    assert ended == 2
    assert is_login_redirect(laptop.get(reverse("core:start")))
    assert is_login_redirect(phone.get(reverse("core:start")))
    event = AuditEvent.objects.get(event_type=AuditEventType.SESSIONS_ENDED)
    assert event.actor == admin
    assert event.object_id == str(user.pk)


def test_changing_the_password_logs_out_the_other_sessions(world):
    user = world.user(Role.COORDINATOR)
    laptop, phone = english_client(), english_client()
    password_login(laptop, user)
    password_login(phone, user)

    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert laptop.get(reverse("core:start")).status_code == 200
    assert is_login_redirect(phone.get(reverse("core:start")))


def test_the_logout_button_logs_out(client, world):
    password_login(client, world.user(Role.COORDINATOR))
    confirm = client.get(reverse("account_logout"))
    assert confirm.status_code == 200  # a GET only asks; logging out takes a POST
    assert current_user(client) is not None

    client.post(reverse("account_logout"))

    assert current_user(client) is None


# -- password rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "complaint"),
    [
        ("Kort-lös-1", "at least 12 characters"),
        ("qwerty123456", "too common"),
        ("839274610583", "entirely numeric"),
        ("coordinator.leksand", "too similar"),
    ],
)
def test_weak_passwords_are_refused(world, password, complaint):
    user = world.user(Role.COORDINATOR)
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert complaint in " ".join(refused.value.messages)


def test_a_long_uncommon_password_is_accepted(world):
    validate_password(NEW_PASSWORD, world.user(Role.COORDINATOR))


def test_the_password_change_form_applies_the_rules(client, world):
    user = world.user(Role.COORDINATOR)
    password_login(client, user)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": "Kort-lös-1", "password2": "Kort-lös-1"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "at least 12 characters" in page
    assert 'aria-invalid="true"' in page
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


# -- allauth's pages in our layout -------------------------------------------------------------


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1_count = 0
        self.main = False
        self.label_for: set[str] = set()
        self.fields: list[dict[str, str | None]] = []
        self.scripts: list[dict[str, str | None]] = []
        self.images: list[dict[str, str | None]] = []
        self.styled: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "style" in attributes or any(name.startswith("on") for name in attributes):
            self.styled.append(tag)
        if tag == "h1":
            self.h1_count += 1
        elif tag == "main":
            self.main = attributes.get("id") == "main"
        elif tag == "label" and attributes.get("for"):
            self.label_for.add(attributes["for"] or "")
        elif tag in {"input", "select", "textarea"}:
            if attributes.get("type") not in {"hidden", "submit", "button"}:
                self.fields.append(attributes)
        elif tag == "script":
            self.scripts.append(attributes)
        elif tag == "img":
            self.images.append(attributes)


def assert_in_layout(page: str) -> None:
    csp_img_sources = cast("list[str]", django_settings.SECURE_CSP["img-src"])
    parsed = _PageParser()
    parsed.feed(page)
    assert parsed.main, "not inside the base layout"
    assert 'class="skip-link"' in page
    assert parsed.h1_count == 1, f"{parsed.h1_count} h1 elements"
    for attributes in parsed.fields:
        assert attributes.get("id") in parsed.label_for or attributes.get("aria-label"), (
            f"field without a label: {attributes}"
        )
    for attributes in parsed.scripts:
        assert attributes.get("src") or attributes.get("nonce"), "inline script without nonce"
    for attributes in parsed.images:
        source = attributes.get("src") or ""
        assert attributes.get("alt"), f"image without alt text: {source[:40]}"
        assert source.startswith("/") or (source.startswith("data:") and "data:" in csp_img_sources)
    assert not parsed.styled, f"inline style or event handler on {parsed.styled}"


@pytest.mark.django_db
def test_pages_before_login_are_in_our_layout(client):
    for name in (
        "account_login",
        "account_reset_password",
        "account_reset_password_done",
        "account_signup",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_in_layout(response.content.decode())


def test_pages_of_the_two_factor_set_up_are_in_our_layout(client, world):
    user = world.user(Role.INTAKE)
    password_login(client, user)
    reauthenticate = client.get(reverse("account_reauthenticate"))
    assert_in_layout(reauthenticate.content.decode())
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})

    activate = client.get(reverse("mfa_activate_totp"))
    page = activate.content.decode()
    assert_in_layout(page)
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code: allowed by img-src data:
    secret = client.session[totp.SECRET_SESSION_KEY]
    wrong = client.post(reverse("mfa_activate_totp"), {"code": wrong_code_for(secret)})
    assert_in_layout(wrong.content.decode())
    assert 'aria-invalid="true"' in wrong.content.decode()

    client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    for name in (
        "mfa_view_recovery_codes",
        "mfa_index",
        "mfa_generate_recovery_codes",
        "mfa_deactivate_totp",
        "usersessions_list",
        "account_change_password",
        "account_email",
        "account_logout",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert_in_layout(response.content.decode())


def test_the_two_factor_step_of_the_login_is_in_our_layout(client, world):
    user = world.user(Role.INTAKE)
    secret = activate_totp(user)
    password_login(client, user)

    page = client.get(reverse("mfa_authenticate"))
    assert_in_layout(page.content.decode())
    wrong = client.post(reverse("mfa_authenticate"), {"code": wrong_code_for(secret)})
    assert_in_layout(wrong.content.decode())


def test_the_security_page_links_to_password_and_sessions(client, world):
    client.force_login(world.user(Role.COORDINATOR))
    page = client.get(reverse("mfa_index")).content.decode()
    assert reverse("account_change_password") in page
    assert reverse("usersessions_list") in page


def test_users_can_not_add_e_mail_addresses(client, world):
    user = world.user(Role.COORDINATOR)
    client.force_login(user)

    client.post(reverse("account_email"), {"action_add": "", "email": "other@example.org"})

    assert not user.emailaddress_set.filter(email="other@example.org").exists()


def test_a_password_reset_mails_only_registered_addresses(client, world, mailoutbox):
    user = world.user(Role.COORDINATOR)
    for email in ("stranger@example.com", user.email):
        response = client.post(reverse("account_reset_password"), {"email": email})
        assert response.status_code == 302
        assert response["Location"] == reverse("account_reset_password_done")

    assert [message.to for message in mailoutbox] == [[user.email]]


def test_adding_the_app_ends_the_sessions_that_only_knew_the_password(
    world, django_capture_on_commit_callbacks
):
    """A session opened with the password before the user's first authenticator must not be
    let through once the real user has set one up in theirs."""
    teacher = world.user(Role.REPORTER)
    builders.draft(world, author=teacher)  # two-factor is required from the first draft
    mine, stolen = english_client(), english_client()
    password_login(mine, teacher)
    password_login(stolen, teacher)
    assert stolen.get(reverse("core:start"))["Location"] == reverse("mfa_activate_totp")

    mine.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    mine.get(reverse("mfa_activate_totp"))
    secret = mine.session[totp.SECRET_SESSION_KEY]
    with django_capture_on_commit_callbacks(execute=True):
        mine.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})

    assert mine.get(reverse("core:start")).status_code == 200
    assert is_login_redirect(stolen.get(reverse("core:start")))
    event = AuditEvent.objects.get(event_type=AuditEventType.SESSIONS_ENDED)
    assert event.actor == teacher
    assert event.new_values == {"sessions": 1, "reason": "authenticator_added"}
