"""Who may manage what in a municipality's organisation.

A municipal admin manages the units, user accounts and memberships of the municipalities where
they hold the role; a coordinator may also edit school terms. Everything else is a 404.
Grants come from the user's memberships of today (cached per request), one grant per
municipality, so that the rule and the membership behind a decision are known.
"""

from enum import StrEnum

from django.db.models import Q, QuerySet

from access.policies import Grant, Policy
from organisations.models import (
    Membership,
    MembershipState,
    Municipality,
    Role,
    SchoolBreak,
    SchoolTerm,
    Unit,
    User,
)
from organisations.selectors import memberships_of, memberships_with_role


class OrganisationAction(StrEnum):
    MANAGE = "manage"  # change units, memberships, terms; see users with a role there
    ADMINISTER = "administer"  # change the account itself: only its administering municipality
    CONFIGURE = "configure"  # the municipality's own settings (deadline rules, numbers)
    APPROVE = "approve"  # approve or refuse another admin's pending role: a second admin only


MANAGE = OrganisationAction.MANAGE
ADMINISTER = OrganisationAction.ADMINISTER
CONFIGURE = OrganisationAction.CONFIGURE
APPROVE = OrganisationAction.APPROVE


def _by_municipality(user: User, roles: list[str]) -> dict[int, Membership]:
    """One membership per municipality where the user holds one of ``roles``."""
    found: dict[int, Membership] = {}
    for membership in memberships_with_role(user, roles):
        found.setdefault(membership.unit.municipality_id, membership)
    return found


class MunicipalityPolicy(Policy[Municipality, OrganisationAction]):
    """The municipalities whose settings the user configures: their municipal admins."""

    model = Municipality
    actions = OrganisationAction
    tenant_fields = ("id",)

    def grants(self, user: User, action: OrganisationAction) -> list[Grant]:
        if action != CONFIGURE:
            return []
        return [
            Grant("municipality.configure.municipal_admin", Q(pk=municipality_id), membership)
            for municipality_id, membership in _by_municipality(
                user, [Role.MUNICIPAL_ADMIN]
            ).items()
        ]


class UnitPolicy(Policy[Unit, OrganisationAction]):
    """Units of the municipalities the user administers."""

    model = Unit
    actions = OrganisationAction

    def base_queryset(self) -> QuerySet[Unit]:
        return Unit.objects.select_related("municipality")

    def grants(self, user: User, action: OrganisationAction) -> list[Grant]:
        if action != MANAGE:
            return []
        return [
            Grant("unit.manage.municipal_admin", Q(municipality_id=municipality_id), membership)
            for municipality_id, membership in _by_municipality(
                user, [Role.MUNICIPAL_ADMIN]
            ).items()
        ]


class UserPolicy(Policy[User, OrganisationAction]):
    """Accounts an admin may see: administered by their municipality, or holding (or having
    held) a membership at one of its units. Only the administering municipality may change
    the account data itself (action ``administer``)."""

    model = User
    actions = OrganisationAction

    def _tenant(self, user: User) -> Q:
        # An account belongs to its administering municipality, and is seen too where it
        # holds (or held) a membership.
        municipality_ids = sorted({m.unit.municipality_id for m in memberships_of(user)})
        members = Membership.objects.filter(unit__municipality_id__in=municipality_ids)
        return Q(municipality_id__in=municipality_ids) | Q(pk__in=members.values("user_id"))

    def grants(self, user: User, action: OrganisationAction) -> list[Grant]:
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


class MembershipPolicy(Policy[Membership, OrganisationAction]):
    """Memberships at units of the municipalities the user administers; a user's memberships
    elsewhere stay invisible. Pending memberships (an admin's own role that sees children) are
    approved by another admin of the municipality: never by the person they are for."""

    model = Membership
    actions = OrganisationAction
    tenant_fields = ("unit__municipality_id",)

    def base_queryset(self) -> QuerySet[Membership]:
        return Membership.objects.select_related("user", "unit", "unit__municipality")

    def grants(self, user: User, action: OrganisationAction) -> list[Grant]:
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


class TermPolicy(Policy[SchoolTerm, OrganisationAction]):
    """School terms of the municipalities where the user is admin or coordinator."""

    model = SchoolTerm
    actions = OrganisationAction

    def base_queryset(self) -> QuerySet[SchoolTerm]:
        return SchoolTerm.objects.select_related("municipality")

    def grants(self, user: User, action: OrganisationAction) -> list[Grant]:
        if action != MANAGE:
            return []
        return [
            Grant(f"term.manage.{membership.role}", Q(municipality_id=municipality_id), membership)
            for municipality_id, membership in _by_municipality(
                user, [Role.MUNICIPAL_ADMIN, Role.COORDINATOR]
            ).items()
        ]


class SchoolBreakPolicy(Policy[SchoolBreak, OrganisationAction]):
    """School breaks: managed by whoever manages the terms (the same grants)."""

    model = SchoolBreak
    actions = OrganisationAction

    def base_queryset(self) -> QuerySet[SchoolBreak]:
        return SchoolBreak.objects.select_related("municipality")

    def grants(self, user: User, action: OrganisationAction) -> list[Grant]:
        return term_policy.grants(user, action)


municipality_policy = MunicipalityPolicy()
unit_policy = UnitPolicy()
user_policy = UserPolicy()
membership_policy = MembershipPolicy()
term_policy = TermPolicy()
school_break_policy = SchoolBreakPolicy()
