"""Reading the case library and the sessions, always through the policies."""

from django.db.models import Q, QuerySet

from organisations.models import Municipality, User
from training.models import Participation, SessionGroup, TrainingSession, Vignette
from training.policies import READ, session_policy, vignette_policy


def library(user: User) -> QuerySet[Vignette]:
    """The cases the user may read: the municipality's and the shared ones, by title."""
    return vignette_policy.visible(user, READ).order_by("title", "id")


def sessions(user: User) -> QuerySet[TrainingSession]:
    """The sessions the user may read, the latest first."""
    return session_policy.visible(user, READ).order_by("-held_on", "-id")


def session_parts(
    session: TrainingSession,
) -> tuple[list[Participation], list[SessionGroup], list[Vignette], list[User]]:
    """The counts per unit, groups, cases and named participants of one session (four
    queries)."""
    participation = list(
        Participation.objects.filter(session=session).select_related("unit").order_by("unit__name")
    )
    groups = list(SessionGroup.objects.filter(session=session).order_by("position", "id"))
    vignettes = list(session.vignettes.order_by("title"))
    people = list(session.named_participants.order_by("last_name", "first_name", "username"))
    return participation, groups, vignettes, people


def sessions_of_occurrence(user: User, occurrence_id: int) -> list[TrainingSession]:
    """The sessions linked to an activity of the annual wheel that the user may read."""
    return list(sessions(user).filter(occurrence_id=occurrence_id))


def vignettes_in(municipality: Municipality) -> Q:
    return Q(municipality=municipality) | Q(municipality__isnull=True)
