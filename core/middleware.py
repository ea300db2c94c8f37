"""Session middleware of the web shell: two-factor enforcement and idle expiry."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from core.security import has_totp, two_factor_required

# Pages a user without two-factor may still reach: setting it up, logging out, the language
# switch and the public pages.
_ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/tillganglighet")

# Session key: the id of the user whose authenticator was seen in this session, so the check
# costs one query per session instead of one per request. Cleared when the user removes it.
TWO_FACTOR_SEEN = "samverkan_two_factor_seen"
# Session key: when the session's expiry was last pushed forward (epoch seconds).
LAST_TOUCH = "samverkan_last_touch"


class TwoFactorRequiredMiddleware:
    """Sends users who must use two-factor, and have not set it up, to the set-up page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and request.session.get(TWO_FACTOR_SEEN) != user.pk
            and two_factor_required(user)  # type: ignore[arg-type]
        ):
            if not has_totp(user):  # type: ignore[arg-type]
                return redirect(reverse("mfa_activate_totp"))
            request.session[TWO_FACTOR_SEEN] = user.pk
        return self.get_response(request)


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
            now = int(time.time())
            if now - request.session.get(LAST_TOUCH, 0) >= settings.SESSION_TOUCH_INTERVAL:
                request.session[LAST_TOUCH] = now
        return self.get_response(request)
