"""What the audit module puts on the start page of auditors, coordinators and board members:
answers to recommendations that are overdue and measures that are overdue, as counts with a
link to the audits. Shown once per user, in the first of these sections the user has."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from audits.policies import READER_ROLES
from audits.selectors import follow_up_counts
from core.attention import AttentionItem
from organisations.models import Membership, Role, User
from organisations.selectors import memberships_of

ATTENTION_ROLES = (Role.AUDITOR, Role.COORDINATOR, Role.BOARD_MEMBER)


def _first_section(user: User, memberships: list[Membership]) -> bool:
    held = {membership.role for membership in memberships_of(user)}
    first = next((role for role in ATTENTION_ROLES if role in held), None)
    return bool(memberships) and memberships[0].role == first


def overdue_attention(
    user: User, memberships: list[Membership], *, today: datetime.date | None = None
) -> list[AttentionItem]:
    """Overdue answers and overdue measures per municipality where the user reads audits."""
    if not _first_section(user, memberships):
        return []
    today = today or timezone.localdate()
    municipalities = {
        m.unit.municipality_id: m.unit.municipality
        for m in memberships_of(user)
        if m.role in READER_ROLES
    }
    url = reverse("audits:audit_list")
    items = []
    for municipality_id, municipality in sorted(municipalities.items()):
        summary = follow_up_counts(municipality_id, today)
        if summary.overdue_responses:
            text = ngettext(
                "%(municipality)s: %(count)s audit recommendation has not been answered "
                "by its due date.",
                "%(municipality)s: %(count)s audit recommendations have not been answered "
                "by their due date.",
                summary.overdue_responses,
            ) % {"municipality": municipality.name, "count": summary.overdue_responses}
            items.append(AttentionItem(text=text, url=url, severity="danger"))
        if summary.overdue_measures:
            text = ngettext(
                "%(municipality)s: %(count)s measure after an audit is overdue.",
                "%(municipality)s: %(count)s measures after audits are overdue.",
                summary.overdue_measures,
            ) % {"municipality": municipality.name, "count": summary.overdue_measures}
            items.append(AttentionItem(text=text, url=url, severity="warning"))
    return items
