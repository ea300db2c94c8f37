"""Read helpers for organisations. A user's memberships are loaded once per request."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from access.models import AuditEvent, AuditEventType
from organisations.models import (
    Membership,
    Municipality,
    Role,
    SchoolTerm,
    Unit,
    User,
    active_on,
)

_CACHE_ATTR = "_samverkan_memberships"
_READ_FOR_REQUEST_ATTR = "_samverkan_read_for_request"
# A day: the key names the day, so an entry is never useful for longer.
SHARED_CACHE_SECONDS = 24 * 60 * 60


def memberships_of(user: User) -> list[Membership]:
    """The user's memberships in force today, with unit and municipality.

    Kept on the user object for the request, and, for the user a request is made by, in the
    shared cache under a key that names the user's ``access_stamp``, which every change to the
    list renews in the same transaction (organisations/access_stamp.py): a change is seen on
    the user's next request. Any other user object (a task's, a command's, a test's) may hold
    a stamp from before a change, so it always reads the database.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        today = timezone.localdate()
        key = _shared_key(user, today)
        cached = cache.get(key) if key else None
        if cached is None:
            cached = list(
                Membership.objects.filter(active_on(today), user=user, unit__is_active=True)
                .select_related("unit", "unit__municipality")
                .order_by("unit__municipality__name", "unit__name", "role")
            )
            if key:
                cache.set(key, cached, SHARED_CACHE_SECONDS)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def read_for_this_request(user: User) -> None:
    """Mark the request's user, read from the database as the request began: its stamp is
    current (core.middleware.IdleSessionMiddleware calls this)."""
    setattr(user, _READ_FOR_REQUEST_ATTR, True)


def _shared_key(user: User, today: datetime.date) -> str | None:
    """The shared cache's key of the user's memberships today, or None for a user object
    that was not read for this request (its stamp may be old) or without its stamp."""
    if not getattr(user, _READ_FOR_REQUEST_ATTR, False):
        return None
    if {"access_stamp", "date_joined"} & user.get_deferred_fields():
        return None
    # The account's creation time too: a database that reuses a deleted user's id (SQLite)
    # gives the new account a stamp the old one may have had.
    joined = int(user.date_joined.timestamp() * 1_000_000)
    return f"memberships:{user.pk}:{joined}:{user.access_stamp}:{today.isoformat()}"


def forget_memberships(user: User) -> None:
    """Drop what is kept of the user's memberships, after changing them in this request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    if user.pk is not None:
        # The new stamp the change gave the user, so the next read is not the old entry's.
        user.refresh_from_db(fields=["access_stamp"])


def roles_of(user: User) -> set[str]:
    return {membership.role for membership in memberships_of(user)}


def has_role(user: User, *roles: str) -> bool:
    wanted = set(roles)
    return any(membership.role in wanted for membership in memberships_of(user))


def memberships_with_role(user: User, roles: Iterable[str]) -> list[Membership]:
    wanted = set(roles)
    return [membership for membership in memberships_of(user) if membership.role in wanted]


def administered_municipality_ids(user: User) -> set[int]:
    """Municipalities where the user is municipal admin."""
    return {
        membership.unit.municipality_id
        for membership in memberships_with_role(user, [Role.MUNICIPAL_ADMIN])
    }


def municipalities_of(user: User) -> list[Municipality]:
    seen: dict[int, Municipality] = {}
    for membership in memberships_of(user):
        seen.setdefault(membership.unit.municipality_id, membership.unit.municipality)
    return list(seen.values())


def with_two_factor(users: QuerySet[User]) -> QuerySet[User]:
    """Each user with ``has_totp``, whether an authenticator app is set up: a subquery in the
    same query, so a list of users costs no query per user."""
    apps = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    return users.annotate(has_totp=Exists(apps))


def units_below(unit: Unit) -> QuerySet[Unit]:
    """The unit itself and every unit under it in the tree."""
    return Unit.objects.filter(path__startswith=unit.path)


def terms_around(municipality: Municipality, day: datetime.date) -> QuerySet[SchoolTerm]:
    """Terms that have not ended a year before ``day``: the current and coming school years."""
    return SchoolTerm.objects.filter(
        municipality=municipality, ends_on__gte=day - datetime.timedelta(days=365)
    ).order_by("starts_on")


# Account changes that could hand someone access to children's data: an admin's own role that
# sees children (asked for, approved, refused) and a changed e-mail address (where password
# resets go). The log review lists them as events to check.
EVENTS_TO_CHECK = frozenset(
    {
        AuditEventType.MEMBERSHIP_REQUESTED,
        AuditEventType.MEMBERSHIP_APPROVED,
        AuditEventType.MEMBERSHIP_REFUSED,
        AuditEventType.USER_EMAIL_CHANGED,
    }
)
EVENTS_TO_CHECK_SHOWN = 50


@dataclass(frozen=True)
class EventToCheck:
    """One event to check, as the log review shows it: what happened, who did it, to whose
    account, and the role and unit when it was a role."""

    event: AuditEvent
    label: str
    actor: str
    account: str
    role: str
    unit: str


def events_to_check(user: User) -> list[EventToCheck]:
    """The latest events to check in the municipalities ``user`` administers, newest first,
    at most ``EVENTS_TO_CHECK_SHOWN`` (two queries: the events, and the names of the accounts
    they name; nobody else's municipalities, and nothing for a user who administers none)."""
    municipality_ids = administered_municipality_ids(user)
    if not municipality_ids:
        return []
    events = list(
        AuditEvent.objects.filter(
            municipality_id__in=municipality_ids, event_type__in=EVENTS_TO_CHECK
        )
        .select_related("actor", "municipality")
        .order_by("-occurred_at", "-id")[:EVENTS_TO_CHECK_SHOWN]
    )
    names = _names_by_username(str((event.new_values or {}).get("user", "")) for event in events)
    roles = dict(Role.choices)
    rows = []
    for event in events:
        values = event.new_values or {}
        role = values.get("role", "")
        username = str(values.get("user", ""))
        rows.append(
            EventToCheck(
                event=event,
                label=event.event_type_label,
                actor=event.actor.display_name if event.actor else "",
                account=names.get(username, username),
                role=str(roles.get(role, role)),
                unit=str(values.get("unit", "")),
            )
        )
    return rows


def _names_by_username(usernames: Iterable[str]) -> dict[str, str]:
    """The accounts' names today, by the username the event recorded, in one query; a name
    with its username, as two people may share a name."""
    wanted = {username for username in usernames if username}
    if not wanted:
        return {}
    accounts = User.objects.filter(username__in=wanted).only("username", "first_name", "last_name")
    return {
        account.username: f"{account.get_full_name()} ({account.username})"
        if account.get_full_name()
        else account.username
        for account in accounts
    }


def municipality_asked_for(
    municipalities: list[Municipality], wanted: str | None
) -> Municipality | None:
    """The municipality a page's chooser asks for (``?municipality=<id>``) among those the
    user may pick; the first when none is asked for; None when the one asked for is not among
    them, which the views answer with the same 404 as for a page that does not exist."""
    if not municipalities:
        return None
    if wanted is None:
        return municipalities[0]
    return next((m for m in municipalities if str(m.pk) == wanted), None)
