"""Start-page items of the annual wheel for the coordinator: held meetings whose minutes are
missing and follow-up actions past their due date (two aggregate queries)."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from core.attention import AttentionItem
from organisations.models import Membership, User
from wheel.models import ActionStatus, FollowUpAction, Occurrence, OccurrenceStatus

# Minutes are expected within this time of a held meeting; older gaps stay on the list.
MINUTES_LOOKBACK = datetime.timedelta(days=365)


def coordinator_attention(_user: User, memberships: list[Membership]) -> list[AttentionItem]:
    municipality_ids = {membership.unit.municipality_id for membership in memberships}
    now = timezone.now()
    without_minutes = (
        Occurrence.objects.filter(
            municipality_id__in=municipality_ids,
            status=OccurrenceStatus.HELD,
            starts_at__gte=now - MINUTES_LOOKBACK,
            starts_at__lte=now,
            minutes="",
        )
        .filter(Q(minutes_file="") | Q(minutes_file__isnull=True))
        .count()
    )
    overdue_actions = FollowUpAction.objects.filter(
        occurrence__municipality_id__in=municipality_ids,
        status=ActionStatus.OPEN,
        due_on__lt=timezone.localdate(),
    ).count()
    items = []
    if without_minutes:
        items.append(
            AttentionItem(
                ngettext(
                    "%(count)d held meeting has no minutes.",
                    "%(count)d held meetings have no minutes.",
                    without_minutes,
                )
                % {"count": without_minutes},
                reverse("wheel:series_list"),
                "warning",
            )
        )
    if overdue_actions:
        items.append(
            AttentionItem(
                ngettext(
                    "%(count)d follow-up action from meetings is overdue.",
                    "%(count)d follow-up actions from meetings are overdue.",
                    overdue_actions,
                )
                % {"count": overdue_actions},
                reverse("wheel:series_list"),
                "danger",
            )
        )
    return items
