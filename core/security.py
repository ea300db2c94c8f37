"""Which users must use two-factor authentication.

Every role that can see an identified child needs it, and so does the municipal admin (who
reads the access log). So do the operators of the Django admin (``is_staff``/``is_superuser``):
the admin reaches every table. Reporters need it once they have any report, drafts included:
later apps register a check for that with ``register_two_factor_trigger``. A trigger looks at
what the user has done, not at the roles they hold today, so a reporter whose role ended and who
was then given a role that never sees children (a board member, say) still needs it.

Demo mode switches all of this off, for everyone: the demo's accounts and their one password
are public anyway.
"""

from collections.abc import Callable, Iterable

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import transaction

from access.models import AuditEventType
from access.services import audit_event_record
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
    """Add a check that makes two-factor required, e.g. "this user has written a report".

    A trigger must not depend on the user's current roles: roles end and change, while what a
    user has written stays readable to them.
    """
    if trigger not in _triggers:
        _triggers.append(trigger)


def two_factor_required_by_account(user: User) -> bool:
    """Required because of who the user is today: Django admin staff, or a role that sees
    identified children. Costs no query beyond the memberships that every page loads anyway,
    so the middleware asks it on every request."""
    return two_factor_required_for(roles_of(user), staff=user.is_staff or user.is_superuser)


def two_factor_required_for(roles: Iterable[str], *, staff: bool = False) -> bool:
    """Whether these roles (or the staff flag) require two-factor: the rule of
    :func:`two_factor_required_by_account` for roles already at hand (the users list)."""
    if settings.DEMO_MODE:
        return False
    return staff or not ROLES_REQUIRING_TWO_FACTOR.isdisjoint(roles)


def two_factor_triggered(user: User) -> bool:
    """Required because of what the user has done (the registered triggers). May cost a query
    per trigger; the middleware keeps a "no" in the session (see ``core.middleware``)."""
    if settings.DEMO_MODE:
        return False
    return any(trigger(user) for trigger in _triggers)


def two_factor_required(user: User) -> bool:
    """Whether the user must have an authenticator app before reaching any data."""
    return two_factor_required_by_account(user) or two_factor_triggered(user)


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def two_factor_other_sessions_end(*, user: User, current_session_key: str | None) -> int:
    """End the user's sessions other than the current one, when they add an authenticator app.

    Those sessions were logged in with the password alone (the login asks for the code only
    once an authenticator exists). Without this, a session opened by someone who knew only the
    password would be let through as soon as the real user set up two-factor in theirs.
    """
    with transaction.atomic():
        others = UserSession.objects.filter(user=user).exclude(session_key=current_session_key)
        count = 0
        for session in others:
            session.end()
            count += 1
        if count:
            audit_event_record(
                actor=user,
                municipality=user.municipality,
                event_type=AuditEventType.SESSIONS_ENDED,
                obj=user,
                new={"sessions": count, "reason": "authenticator_added"},
            )
    return count
