"""Signal receivers of the web shell (kept out of models and services on purpose)."""

from typing import Any

from allauth.mfa.models import Authenticator
from django.http import HttpRequest

from core.middleware import TWO_FACTOR_SEEN
from core.security import two_factor_other_sessions_end


def forget_two_factor_seen(
    sender: Any,  # noqa: ARG001 - Django passes it by name
    request: HttpRequest,
    **kwargs: Any,
) -> None:
    """After an authenticator is removed, check again on the next request."""
    request.session.pop(TWO_FACTOR_SEEN, None)


def end_other_sessions(
    sender: Any,  # noqa: ARG001 - Django passes it by name
    request: HttpRequest,
    user: Any,
    authenticator: Authenticator,
    **kwargs: Any,
) -> None:
    """After an authenticator app is added, only this session has shown the second factor."""
    if authenticator.type == Authenticator.Type.TOTP:
        two_factor_other_sessions_end(user=user, current_session_key=request.session.session_key)
