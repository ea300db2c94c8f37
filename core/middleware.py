"""Sends users who must use two-factor, and have not set it up, to the set-up page."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from core.security import has_totp, two_factor_required

# Pages a user without two-factor may still reach: setting it up, logging out, the language
# switch and the public pages.
_ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/tillganglighet")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and two_factor_required(user)  # type: ignore[arg-type]
            and not has_totp(user)  # type: ignore[arg-type]
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
