"""Who may see and do what in the annual wheel.

- READ: anyone with a membership in force in the series' municipality (every member of staff,
  board members and auditors too).
- MANAGE (create and change series): the municipality's coordinators.
- RECORD (status, attendance, minutes, decisions and follow-up actions of an occurrence): the
  coordinators, and the members of the series' organiser unit (a membership that includes the
  units below covers series organised by those units as well).
- Everyone else, and every other municipality: nothing, the same 404.

The wheel holds no child data (forms refuse identity numbers), so reads are not logged.
"""

from enum import StrEnum

from django.db.models import Q, QuerySet

from access.policies import Grant, Policy
from organisations.models import Membership, Role, User
from organisations.selectors import memberships_of, memberships_with_role
from wheel.models import ActivitySeries, FollowUpAction, MeetingDecision, Occurrence


class WheelAction(StrEnum):
    READ = "read"
    MANAGE = "manage"
    RECORD = "record"


READ = WheelAction.READ
MANAGE = WheelAction.MANAGE
RECORD = WheelAction.RECORD


def _by_municipality(memberships: list[Membership]) -> dict[int, Membership]:
    found: dict[int, Membership] = {}
    for membership in memberships:
        found.setdefault(membership.unit.municipality_id, membership)
    return found


def _series_grants(user: User, action: WheelAction, municipality: str, prefix: str) -> list[Grant]:
    """The grants on series, written for a model whose municipality id is ``municipality``
    and that reaches the series through ``prefix`` ("" for the series itself, "series__" for
    an occurrence, ...)."""
    if action == READ:
        return [
            Grant("wheel.read.member", Q(**{municipality: municipality_id}), m)
            for municipality_id, m in _by_municipality(memberships_of(user)).items()
        ]
    coordinators = _by_municipality(memberships_with_role(user, [Role.COORDINATOR]))
    grants = [
        Grant("wheel.manage.coordinator", Q(**{municipality: municipality_id}), m)
        for municipality_id, m in coordinators.items()
    ]
    if action == MANAGE:
        return grants
    if action != RECORD:
        return []
    for membership in memberships_of(user):
        if membership.unit.municipality_id in coordinators:
            continue  # the coordinator's grant covers every series there
        unit = membership.unit
        organiser = (
            Q(**{f"{prefix}organiser_unit__path__startswith": unit.path})
            if membership.includes_subtree and unit.path
            else Q(**{f"{prefix}organiser_unit_id": unit.pk})
        )
        grants.append(Grant("wheel.record.organiser", organiser, membership))
    return grants


class SeriesPolicy(Policy[ActivitySeries, WheelAction]):
    model = ActivitySeries
    actions = WheelAction

    def base_queryset(self) -> QuerySet[ActivitySeries]:
        return ActivitySeries.objects.select_related("municipality", "organiser_unit")

    def grants(self, user: User, action: WheelAction) -> list[Grant]:
        return _series_grants(user, action, "municipality_id", "")


class OccurrencePolicy(Policy[Occurrence, WheelAction]):
    model = Occurrence
    actions = WheelAction

    def base_queryset(self) -> QuerySet[Occurrence]:
        return Occurrence.objects.select_related(
            "series", "series__organiser_unit", "municipality", "school"
        )

    def grants(self, user: User, action: WheelAction) -> list[Grant]:
        return _series_grants(user, action, "municipality_id", "series__")


class DecisionPolicy(Policy[MeetingDecision, WheelAction]):
    model = MeetingDecision
    actions = WheelAction
    tenant_fields = ("occurrence__municipality_id",)

    def base_queryset(self) -> QuerySet[MeetingDecision]:
        return MeetingDecision.objects.select_related(
            "occurrence", "occurrence__series", "receiving_unit"
        )

    def grants(self, user: User, action: WheelAction) -> list[Grant]:
        return _series_grants(user, action, "occurrence__municipality_id", "occurrence__series__")


class ActionPolicy(Policy[FollowUpAction, WheelAction]):
    model = FollowUpAction
    actions = WheelAction
    tenant_fields = ("occurrence__municipality_id",)

    def base_queryset(self) -> QuerySet[FollowUpAction]:
        return FollowUpAction.objects.select_related("occurrence", "occurrence__series")

    def grants(self, user: User, action: WheelAction) -> list[Grant]:
        return _series_grants(user, action, "occurrence__municipality_id", "occurrence__series__")


series_policy = SeriesPolicy()
occurrence_policy = OccurrencePolicy()
decision_policy = DecisionPolicy()
action_policy = ActionPolicy()
