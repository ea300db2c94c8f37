"""Which users must use two-factor authentication.

Every role that can see an identified child needs it, and so does the municipal admin (who
reads the access log). Reporters need it once they have reports: later apps register a check
for that with ``register_two_factor_trigger``.
"""

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings

from organisations.models import Role, User
from organisations.selectors import roles_of

ROLES_REQUIRING_TWO_FACTOR = frozenset(
    {
        Role.INTAKE,
        Role.STUDENT_HEALTH,
        Role.MEDICAL_STUDENT_HEALTH,
        Role.PRINCIPAL,
        Role.SIP_PARTICIPANT,
        Role.MUNICIPAL_ADMIN,
    }
)

_triggers: list[Callable[[User], bool]] = []


def register_two_factor_trigger(trigger: Callable[[User], bool]) -> None:
    """Add a check that makes two-factor required, e.g. "this reporter has filed reports"."""
    if trigger not in _triggers:
        _triggers.append(trigger)


def two_factor_required(user: User) -> bool:
    if settings.DEMO_MODE:
        return False
    if roles_of(user) & ROLES_REQUIRING_TWO_FACTOR:
        return True
    return any(trigger(user) for trigger in _triggers)


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
