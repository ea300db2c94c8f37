import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from core.navigation import navigation_for
from core.notifications import unread_count


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs: demo banner and the role-based navigation."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    navigation = navigation_for(user, request.path) if signed_in else []
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "navigation": navigation,
        # Counted only when a page shows it (one COUNT query), and never for anonymous users.
        "unread_notifications": functools.cache(lambda: unread_count(user)) if signed_in else None,
    }
