"""Who sees a municipality's follow-up, and who sets its targets.

- VIEW_DASHBOARD: the municipality's coordinators, managers, board members, auditors,
  municipal admins, intake social workers and principals. The follow-up holds aggregates
  only (no child is ever shown), protected by the "<5" rules of ``followup.suppression``.
  A principal who holds no other of these roles there sees the municipality's aggregates
  and, in the schools table, their own school only.
- MANAGE_TARGETS: the municipality's coordinators.
- MANAGE_COMPARISON: the municipality's municipal admins, who decide whether it may be named
  in other municipalities' comparisons (the municipality speaks about itself to others, so
  the admin who answers for its accounts decides, not the follow-up's readers).
- Everyone else, and every other municipality: the same 404.
"""

from enum import StrEnum

from django.db.models import Q

from access.policies import Grant, Policy
from organisations.models import Membership, Municipality, Role, User
from organisations.selectors import memberships_of


class FollowupAction(StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    MANAGE_TARGETS = "manage_targets"
    MANAGE_COMPARISON = "manage_comparison"


VIEW_DASHBOARD = FollowupAction.VIEW_DASHBOARD
MANAGE_TARGETS = FollowupAction.MANAGE_TARGETS
MANAGE_COMPARISON = FollowupAction.MANAGE_COMPARISON

# Roles that see the whole municipality's follow-up, schools table included.
WHOLE_MUNICIPALITY_ROLES = frozenset(
    {
        Role.COORDINATOR,
        Role.MANAGER,
        Role.BOARD_MEMBER,
        Role.AUDITOR,
        Role.MUNICIPAL_ADMIN,
        Role.INTAKE,
    }
)
VIEW_ROLES = WHOLE_MUNICIPALITY_ROLES | {Role.PRINCIPAL}
ACTION_ROLES = {
    VIEW_DASHBOARD: VIEW_ROLES,
    MANAGE_TARGETS: frozenset({Role.COORDINATOR}),
    MANAGE_COMPARISON: frozenset({Role.MUNICIPAL_ADMIN}),
}


class FollowupPolicy(Policy[Municipality, FollowupAction]):
    model = Municipality
    actions = FollowupAction
    tenant_fields = ("id",)

    def grants(self, user: User, action: FollowupAction) -> list[Grant]:
        roles = ACTION_ROLES[action]
        found: dict[int, Membership] = {}
        for membership in memberships_of(user):
            if membership.role in roles:
                found.setdefault(membership.unit.municipality_id, membership)
        return [
            Grant(f"followup.{action.value}.{membership.role}", Q(pk=mid), membership)
            for mid, membership in found.items()
        ]


followup_policy = FollowupPolicy()


def municipality_for(user: User, action: FollowupAction, wanted: str) -> Municipality | None:
    """The municipality asked for (its id in ``wanted``), or the user's first one when
    nothing is asked; None when the user may not take ``action`` there (no query: the
    memberships are cached per request)."""
    municipalities = followup_policy.municipalities(user, action)
    if not wanted:
        return municipalities[0] if municipalities else None
    return next((m for m in municipalities if str(m.pk) == wanted), None)


def own_schools_only(user: User, municipality: Municipality) -> set[int] | None:
    """The school units a principal is limited to in ``municipality``; None when the user
    sees every school there (they hold a whole-municipality role)."""
    held = [m for m in memberships_of(user) if m.unit.municipality_id == municipality.pk]
    if any(m.role in WHOLE_MUNICIPALITY_ROLES for m in held):
        return None
    return {m.unit_id for m in held if m.role == Role.PRINCIPAL}


def has_any_role(user: User) -> bool:
    """Whether the user holds a membership in force anywhere (the catalogue's readers)."""
    return bool(memberships_of(user))
