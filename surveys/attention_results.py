"""The start page tells the members of a round's analysis group about the round, whatever
their role (the menu's "Survey results" is for the roles that read every round)."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.attention import AttentionItem
from organisations.models import Membership, Role, User
from surveys.models import Round

# A round's analysis is done within months; older rounds are found in the results list.
RECENT_DAYS = 365


def analysis_group_attention(user: User, memberships: list[Membership]) -> list[AttentionItem]:
    """One item per recent sent round whose analysis group names the user, in the section of
    the user's first role only (so a user with two roles sees it once). One query."""
    if not memberships or memberships[0].role != _first_role(user, memberships):
        return []
    since = timezone.localdate() - datetime.timedelta(days=RECENT_DAYS)
    rounds = Round.objects.filter(
        analysis_members__user=user, sent_at__isnull=False, opens_on__gte=since
    ).order_by("-opens_on", "-pk")[:5]
    return [
        AttentionItem(
            text=_("You are in the analysis group of %(title)s: read the results and the analysis.")
            % {"title": item.title},
            url=reverse("survey_results:round_results", args=[item.pk]),
        )
        for item in rounds
    ]


def _first_role(user: User, memberships: list[Membership]) -> str:
    from organisations.selectors import memberships_of

    everything = memberships_of(user)
    return everything[0].role if everything else memberships[0].role


def register_attention() -> None:
    from core.attention import register

    for role in Role.values:
        register(role, analysis_group_attention)
