"""What the municipal admin should look at on the start page: roles that wait for their
approval, roles that end soon, and active accounts of the municipality that no longer have any
role. Three queries, whatever the size."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.attention import AttentionItem
from organisations.models import Membership, MembershipState, User

ENDING_WITHIN_DAYS = 30
SHOWN = 10


def municipal_admin_attention(user: User, memberships: list[Membership]) -> list[AttentionItem]:
    """``memberships`` are the user's municipal admin memberships of today."""
    municipality_ids = {membership.unit.municipality_id for membership in memberships}
    if not municipality_ids:
        return []
    today = timezone.localdate()
    items: list[AttentionItem] = []

    # Another admin's own role that sees children waits for a second admin: this one.
    waiting = (
        Membership.objects.filter(
            unit__municipality_id__in=municipality_ids, state=MembershipState.PENDING
        )
        .exclude(user=user)
        .count()
    )
    if waiting:
        items.append(
            AttentionItem(
                text=ngettext(
                    "%(count)d role waits for your approval.",
                    "%(count)d roles wait for your approval.",
                    waiting,
                )
                % {"count": waiting},
                url=reverse("organisations:membership_approvals"),
                severity="warning",
            )
        )

    ending = list(
        Membership.objects.filter(
            unit__municipality_id__in=municipality_ids,
            state=MembershipState.ACTIVE,
            valid_from__lte=today,
            valid_to__gte=today,
            valid_to__lte=today + datetime.timedelta(days=ENDING_WITHIN_DAYS),
            user__is_active=True,
        )
        .select_related("user", "unit")
        .order_by("valid_to", "pk")[: SHOWN + 1]
    )
    for membership in ending[:SHOWN]:
        assert membership.valid_to is not None  # filtered on it above
        items.append(
            AttentionItem(
                text=_("%(name)s: the role “%(role)s” at %(unit)s ends on %(day)s.")
                % {
                    "name": membership.user.display_name,
                    "role": membership.get_role_display(),
                    "unit": membership.unit.name,
                    "day": formats.date_format(membership.valid_to, "SHORT_DATE_FORMAT"),
                },
                url=reverse("organisations:user_detail", args=[membership.user_id]),
                severity="info",
            )
        )
    if len(ending) > SHOWN:
        items.append(
            AttentionItem(
                text=_("More roles end within %(days)s days.") % {"days": ENDING_WITHIN_DAYS},
                url=reverse("organisations:user_list"),
            )
        )

    current_or_coming = Membership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        unit__is_active=True,
        state=MembershipState.ACTIVE,
    ).values("user_id")
    idle = list(
        User.objects.filter(municipality_id__in=municipality_ids, is_active=True)
        .exclude(pk__in=current_or_coming)
        .order_by("last_name", "first_name", "pk")[: SHOWN + 1]
    )
    for account in idle[:SHOWN]:
        items.append(
            AttentionItem(
                text=_("%(name)s has an active account but no current role.")
                % {"name": account.display_name},
                url=reverse("organisations:user_detail", args=[account.pk]),
                severity="warning",
            )
        )
    if len(idle) > SHOWN:
        items.append(
            AttentionItem(
                text=ngettext(
                    "More than %(count)s active account has no current role.",
                    "More than %(count)s active accounts have no current role.",
                    SHOWN,
                )
                % {"count": SHOWN},
                url=reverse("organisations:user_list"),
                severity="warning",
            )
        )
    return items
