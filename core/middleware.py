"""Session middleware of the web shell: two-factor enforcement and idle expiry."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.security import has_totp, two_factor_required_by_account, two_factor_triggered
from organisations.models import User
from organisations.selectors import read_for_this_request

# Pages a user without two-factor may still reach: setting it up, logging out, the language
# switch and the public pages. Everything else — the app, the API and the Django admin — is
# behind the check.
_ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/tillganglighet")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# Session key: the id of the user whose authenticator was seen in this session, so the check
# costs one query per session instead of one per request. Cleared when the user removes it.
TWO_FACTOR_SEEN = "samverkan_two_factor_seen"
# Session key: the id of the user for whom the two-factor triggers (e.g. "has written a
# report") answered no. Triggers cost queries, and only the user's own writes can change their
# answer, so the "no" is kept until the user's next write (POST and the like), after which it is
# asked again. The first draft thus requires two-factor from the request after the one that
# saved it; a new login starts a new session and asks afresh.
TWO_FACTOR_NOT_TRIGGERED = "samverkan_two_factor_not_triggered"
# Session key: when the session's expiry was last pushed forward (epoch seconds).
LAST_TOUCH = "samverkan_last_touch"


def _required(session: SessionBase, user: User) -> bool:
    if settings.DEMO_MODE:
        return False
    # Staff and roles are asked on every request: they cost no extra query, and a role or the
    # staff flag given by someone else mid-session must count at once.
    if two_factor_required_by_account(user):
        return True
    if session.get(TWO_FACTOR_NOT_TRIGGERED) == user.pk:
        return False
    if two_factor_triggered(user):
        return True
    session[TWO_FACTOR_NOT_TRIGGERED] = user.pk
    return False


def _to_set_up(request: HttpRequest) -> HttpResponse:
    """The set-up page, with a message saying why. The message middleware runs after this one
    (and never sees a request turned away here), so the message is stored directly."""
    url = reverse("mfa_activate_totp")
    if request.headers.get("HX-Request") == "true":
        # An htmx request would swap the set-up page into a fragment: have the browser go there.
        response = HttpResponse(status=204, headers={"HX-Redirect": url})
    else:
        response = redirect(url)
    storage = default_storage(request)
    storage.add(
        messages.WARNING,
        _(
            "Your account must use two-factor authentication. Set up an authenticator app "
            "before you continue."
        ),
    )
    storage.update(response)
    return response


class TwoFactorRequiredMiddleware:
    """Sends users who must use two-factor, and have not set it up, to the set-up page.

    It covers every path but the few allowed above, the Django admin included, so a staff
    user without an authenticator app sees no admin page either.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and request.session.get(TWO_FACTOR_SEEN) != user.pk
            and _required(request.session, user)
        ):
            if not has_totp(user):
                return _to_set_up(request)
            request.session[TWO_FACTOR_SEEN] = user.pk
        response = self.get_response(request)
        if request.method not in _SAFE_METHODS:
            _forget_not_triggered_if_changed(request)
        return response


def _forget_not_triggered_if_changed(request: HttpRequest) -> None:
    """After a write, ask the triggers again (the write may have been the user's first draft).
    The session changes only when the answer does."""
    user = request.user  # after a logout in this request, an anonymous user
    if not user.is_authenticated:
        return
    if request.session.get(TWO_FACTOR_NOT_TRIGGERED) == user.pk and two_factor_triggered(user):
        del request.session[TWO_FACTOR_NOT_TRIGGERED]


class IdleSessionMiddleware:
    """Ends sessions after ``SESSION_COOKIE_AGE`` seconds without activity.

    Django can push the expiry forward on every request (SESSION_SAVE_EVERY_REQUEST), but that
    is a database write per request. Here the session is saved — and its expiry moved — at
    most once per ``SESSION_TOUCH_INTERVAL`` seconds, so idle expiry is exact to within that.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            # The user was read from the database for this request: its access stamp is
            # current, so its memberships may come from the shared cache.
            read_for_this_request(request.user)
            now = int(time.time())
            if now - request.session.get(LAST_TOUCH, 0) >= settings.SESSION_TOUCH_INTERVAL:
                request.session[LAST_TOUCH] = now
        return self.get_response(request)
