"""Signal receivers of the web shell (kept out of models and services on purpose)."""

from typing import Any

from django.http import HttpRequest

from core.middleware import TWO_FACTOR_SEEN


def forget_two_factor_seen(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    """After an authenticator is removed, check again on the next request."""
    request.session.pop(TWO_FACTOR_SEEN, None)
