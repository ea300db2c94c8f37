"""Who may see and do what in training.

Case library (:class:`VignettePolicy`):
- READ: anyone with a membership in force in the vignette's municipality; a shared vignette
  (no municipality) is read by everyone with a membership anywhere. The cases are fictional
  and hold no real data, so every member of staff may use them.
- MANAGE (add and change cases): the municipality's coordinators. Shared cases are the
  installation's (loaded with the product), changed by nobody on these pages.

Training sessions (:class:`SessionPolicy`):
- READ: the municipality's coordinators, managers and auditors (who follow the training up),
  and the members of the organiser unit of the session's activity in the annual wheel.
- RECORD (record and change): the coordinators; and the members of the organiser unit of the
  linked annual-wheel series, for the sessions linked to it (as ``wheel.policies`` RECORD).
- Everyone else, and every other municipality: nothing, the same 404.

Neither holds child data, so reads are not access-logged.
"""

from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from access.policies import Grant, Policy
from organisations.models import Membership, Municipality, Role, User
from organisations.selectors import memberships_of, memberships_with_role
from training.models import TrainingSession, Vignette


class TrainingAction(StrEnum):
    READ = "read"
    MANAGE = "manage"
    RECORD = "record"


READ = TrainingAction.READ
MANAGE = TrainingAction.MANAGE
RECORD = TrainingAction.RECORD

FOLLOWERS = (Role.COORDINATOR, Role.MANAGER, Role.AUDITOR)


def _by_municipality(memberships: list[Membership]) -> dict[int, Membership]:
    found: dict[int, Membership] = {}
    for membership in memberships:
        found.setdefault(membership.unit.municipality_id, membership)
    return found


def _municipalities(memberships: list[Membership]) -> list[Municipality]:
    found = {m.unit.municipality_id: m.unit.municipality for m in memberships}
    return sorted(found.values(), key=lambda municipality: municipality.name)


class VignettePolicy(Policy[Vignette, TrainingAction]):
    model = Vignette
    actions = TrainingAction
    rule_labels = {
        "training.vignette.member": _("member of staff of the municipality"),
        "training.vignette.shared": _("member of staff (a shared case)"),
        "training.vignette.coordinator": _("coordinator of the municipality"),
    }

    def base_queryset(self) -> QuerySet[Vignette]:
        return Vignette.objects.select_related("municipality", "governance_document")

    def _tenant(self, user: User) -> Q:
        # Shared cases belong to no municipality; they are fictional and read by all staff.
        return super()._tenant(user) | Q(municipality__isnull=True)

    def grants(self, user: User, action: TrainingAction) -> list[Grant]:
        if action == READ:
            members = _by_municipality(memberships_of(user))
            grants = [
                Grant("training.vignette.member", Q(municipality_id=municipality_id), m)
                for municipality_id, m in members.items()
            ]
            if members:
                grants.append(
                    Grant(
                        "training.vignette.shared",
                        Q(municipality__isnull=True),
                        next(iter(members.values())),
                    )
                )
            return grants
        if action == MANAGE:
            return [
                Grant("training.vignette.coordinator", Q(municipality_id=municipality_id), m)
                for municipality_id, m in _by_municipality(
                    memberships_with_role(user, [Role.COORDINATOR])
                ).items()
            ]
        return []


class SessionPolicy(Policy[TrainingSession, TrainingAction]):
    model = TrainingSession
    actions = TrainingAction
    rule_labels = {
        "training.session.follower": _("coordinator, manager or auditor of the municipality"),
        "training.session.coordinator": _("coordinator of the municipality"),
        "training.session.organiser": _("member of the unit that organises the activity"),
    }

    def base_queryset(self) -> QuerySet[TrainingSession]:
        return TrainingSession.objects.select_related(
            "municipality", "routine_version", "routine_version__document", "evaluation_round"
        )

    def grants(self, user: User, action: TrainingAction) -> list[Grant]:
        if action not in (READ, RECORD):
            return []
        if action == READ:
            followers = _by_municipality(memberships_with_role(user, FOLLOWERS))
            grants = [
                Grant("training.session.follower", Q(municipality_id=municipality_id), m)
                for municipality_id, m in followers.items()
            ]
        else:
            coordinators = _by_municipality(memberships_with_role(user, [Role.COORDINATOR]))
            grants = [
                Grant("training.session.coordinator", Q(municipality_id=municipality_id), m)
                for municipality_id, m in coordinators.items()
            ]
        for membership in memberships_of(user):
            unit = membership.unit
            organiser = (
                Q(occurrence__series__organiser_unit__path__startswith=unit.path)
                if membership.includes_subtree and unit.path
                else Q(occurrence__series__organiser_unit_id=unit.pk)
            )
            grants.append(Grant("training.session.organiser", organiser, membership))
        return grants

    def creates_in(self, user: User) -> list[Municipality]:
        """The municipalities where the user may record a new session (coordinators only: an
        organiser changes the sessions linked to its activities), by name (no query)."""
        return _municipalities(memberships_with_role(user, [Role.COORDINATOR]))

    def follows_in(self, user: User) -> list[Municipality]:
        """The municipalities whose sessions the user follows as a whole (coordinators,
        managers, auditors), by name (no query)."""
        return _municipalities(memberships_with_role(user, FOLLOWERS))


vignette_policy = VignettePolicy()
session_policy = SessionPolicy()
