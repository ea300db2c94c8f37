"""What governance documents put on the start page.

- Coordinators and managers: each document of their municipalities with an alert (expired,
  revision overdue, overdue measures in red; revision due soon), one item per document.
- All staff: "a new version of the routine is waiting for your confirmation", for each
  routine whose current version they have not confirmed.

Each provider is registered for several roles but shows its items once per user, in the
section of the first of those roles the user holds.
"""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.attention import AttentionItem
from governance.models import GovernanceDocument
from governance.policies import MANAGER_ROLES
from governance.rules import STAFF_ROLES
from governance.selectors import document_statuses, routines_awaiting_confirmation
from organisations.models import Membership, Role, User
from organisations.selectors import memberships_of

MANAGER_ORDER = (Role.COORDINATOR, Role.MANAGER)
# At most this many documents are listed; the rest are summed up in a last item.
SHOWN_DOCUMENTS = 8


def _first_section(user: User, memberships: list[Membership], order: tuple[str, ...]) -> bool:
    """Whether ``memberships`` (one section's) belong to the first role of ``order`` held."""
    held = {membership.role for membership in memberships_of(user)}
    first = next((role for role in order if role in held), None)
    return bool(memberships) and memberships[0].role == first


def _municipality_ids(user: User, roles: frozenset[str] | tuple[str, ...]) -> set[int]:
    return {m.unit.municipality_id for m in memberships_of(user) if m.role in roles}


def document_alert_attention(
    user: User, memberships: list[Membership], *, today: datetime.date | None = None
) -> list[AttentionItem]:
    """Documents with alerts in the municipalities the user coordinates or manages."""
    if not _first_section(user, memberships, MANAGER_ORDER):
        return []
    municipality_ids = _municipality_ids(user, MANAGER_ROLES)
    today = today or timezone.localdate()
    statuses = document_statuses(
        GovernanceDocument.objects.filter(municipality_id__in=municipality_ids).order_by(
            "title", "pk"
        ),
        today=today,
    )
    flagged = [status for status in statuses if status.alerts]
    flagged.sort(key=lambda status: (not status.has_danger, status.document.title))
    items = []
    for status in flagged[:SHOWN_DOCUMENTS]:
        text = _("%(title)s: %(alerts)s.") % {
            "title": status.document.title,
            "alerts": "; ".join(alert.text for alert in status.alerts),
        }
        items.append(
            AttentionItem(
                text=text,
                url=reverse("governance:document_detail", args=[status.document.pk]),
                severity="danger" if status.has_danger else "warning",
            )
        )
    if len(flagged) > SHOWN_DOCUMENTS:
        items.append(
            AttentionItem(
                text=_("%(count)s more documents have alerts.")
                % {"count": len(flagged) - SHOWN_DOCUMENTS},
                url=reverse("governance:document_list"),
                severity="warning",
            )
        )
    return items


def read_confirmation_attention(user: User, memberships: list[Membership]) -> list[AttentionItem]:
    """Routines whose current version the user has not confirmed (one query)."""
    if not _first_section(user, memberships, STAFF_ROLES):
        return []
    waiting = routines_awaiting_confirmation(user, _municipality_ids(user, STAFF_ROLES))
    return [
        AttentionItem(
            text=_("A new version of the routine is waiting for your confirmation: %(title)s.")
            % {"title": title},
            url=reverse("governance:document_detail", args=[document_id]) + "#read-confirmation",
            severity="warning",
        )
        for document_id, title in waiting
    ]
