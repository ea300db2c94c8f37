import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from core.navigation import navigation_for
from core.notifications import unread_count


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs: demo banner, who runs the installation, the role-based
    navigation and the number of unread notifications."""
    user = getattr(request, "user", None)
    common = {"DEMO_MODE": settings.DEMO_MODE, "INSTALLATION_NAME": settings.INSTALLATION_NAME}
    if user is None or not user.is_authenticated:
        return {**common, "navigation": [], "unread_notifications": None}
    return {
        **common,
        "navigation": navigation_for(user, request.path),
        # Counted only when a page shows it (one COUNT query), and never for anonymous users.
        "unread_notifications": functools.cache(lambda: unread_count(user)),
    }
