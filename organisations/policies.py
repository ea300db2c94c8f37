"""Who may manage what in a municipality's organisation.

A municipal admin manages the units, user accounts and memberships of the municipalities where
they hold the role; a coordinator may also edit school terms. Everything else is a 404.
Grants come from the user's memberships of today (cached per request), one grant per
municipality, so that the rule and the membership behind a decision are known.
"""

from django.db.models import Q, QuerySet

from access.policies import Grant, Policy
from organisations.models import (
    Membership,
    MembershipState,
    Municipality,
    Role,
    SchoolTerm,
    Unit,
    User,
)
from organisations.selectors import memberships_with_role

MANAGE = "manage"  # change units, memberships, terms; see users with a role in the municipality
ADMINISTER = "administer"  # change the account itself: only its administering municipality
APPROVE = "approve"  # approve or refuse another admin's pending role: a second admin only


def _by_municipality(user: User, roles: list[str]) -> dict[int, Membership]:
    """One membership per municipality where the user holds one of ``roles``."""
    found: dict[int, Membership] = {}
    for membership in memberships_with_role(user, roles):
        found.setdefault(membership.unit.municipality_id, membership)
    return found


class UnitPolicy(Policy[Unit]):
    """Units of the municipalities the user administers."""

    model = Unit

    def base_queryset(self) -> QuerySet[Unit]:
        return Unit.objects.select_related("municipality")

    def grants(self, user: User, action: str) -> list[Grant]:
        if action != MANAGE:
            return []
        return [
            Grant("unit.manage.municipal_admin", Q(municipality_id=municipality_id), membership)
            for municipality_id, membership in _by_municipality(
                user, [Role.MUNICIPAL_ADMIN]
            ).items()
        ]


class UserPolicy(Policy[User]):
    """Accounts an admin may see: administered by their municipality, or holding (or having
    held) a membership at one of its units. Only the administering municipality may change
    the account data itself (action ``administer``)."""

    model = User

    def grants(self, user: User, action: str) -> list[Grant]:
        admin_of = _by_municipality(user, [Role.MUNICIPAL_ADMIN])
        grants = []
        for municipality_id, membership in admin_of.items():
            administered = Q(municipality_id=municipality_id)
            if action == ADMINISTER:
                grants.append(Grant("user.administer.municipal_admin", administered, membership))
            elif action == MANAGE:
                # A subquery, not a join, so that a user with many memberships is one row.
                members = Membership.objects.filter(unit__municipality_id=municipality_id)
                grants.append(
                    Grant(
                        "user.manage.municipal_admin",
                        administered | Q(pk__in=members.values("user_id")),
                        membership,
                    )
                )
        return grants


class MembershipPolicy(Policy[Membership]):
    """Memberships at units of the municipalities the user administers; a user's memberships
    elsewhere stay invisible. Pending memberships (an admin's own role that sees children) are
    approved by another admin of the municipality: never by the person they are for."""

    model = Membership

    def base_queryset(self) -> QuerySet[Membership]:
        return Membership.objects.select_related("user", "unit", "unit__municipality")

    def grants(self, user: User, action: str) -> list[Grant]:
        if action == APPROVE:
            return [
                Grant(
                    "membership.approve.second_municipal_admin",
                    Q(unit__municipality_id=municipality_id, state=MembershipState.PENDING)
                    & ~Q(user_id=user.pk),
                    membership,
                )
                for municipality_id, membership in _by_municipality(
                    user, [Role.MUNICIPAL_ADMIN]
                ).items()
            ]
        if action != MANAGE:
            return []
        return [
            Grant(
                "membership.manage.municipal_admin",
                Q(unit__municipality_id=municipality_id),
                membership,
            )
            for municipality_id, membership in _by_municipality(
                user, [Role.MUNICIPAL_ADMIN]
            ).items()
        ]


class TermPolicy(Policy[SchoolTerm]):
    """School terms of the municipalities where the user is admin or coordinator."""

    model = SchoolTerm

    def base_queryset(self) -> QuerySet[SchoolTerm]:
        return SchoolTerm.objects.select_related("municipality")

    def grants(self, user: User, action: str) -> list[Grant]:
        if action != MANAGE:
            return []
        return [
            Grant(f"term.manage.{membership.role}", Q(municipality_id=municipality_id), membership)
            for municipality_id, membership in _by_municipality(
                user, [Role.MUNICIPAL_ADMIN, Role.COORDINATOR]
            ).items()
        ]


def admin_municipalities(user: User) -> list[Municipality]:
    """Municipalities where the user is municipal admin (no query: memberships are cached)."""
    found = _by_municipality(user, [Role.MUNICIPAL_ADMIN])
    return sorted((m.unit.municipality for m in found.values()), key=lambda m: m.name)


def term_municipalities(user: User) -> list[Municipality]:
    """Municipalities whose school terms the user may edit."""
    found = _by_municipality(user, [Role.MUNICIPAL_ADMIN, Role.COORDINATOR])
    return sorted((m.unit.municipality for m in found.values()), key=lambda m: m.name)
