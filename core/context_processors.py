from typing import Any

from django.conf import settings
from django.http import HttpRequest

from core.navigation import navigation_for


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs: demo banner and the role-based navigation."""
    user = getattr(request, "user", None)
    navigation = (
        navigation_for(user, request.path) if user is not None and user.is_authenticated else []
    )
    return {"DEMO_MODE": settings.DEMO_MODE, "navigation": navigation}
