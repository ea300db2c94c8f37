"""The governance watchdog: tells the coordinators of each municipality about its documents
that are due or overdue for revision, have expired, or have overdue measures (in the app, and
by e-mail with a link — the documents hold no child data).

It runs from cron (``manage.py governance_watchdog``, once a day is enough) or as the task
``governance.tasks.run_watchdog``. Each alert is one notification per document, kind of alert
and local day (``dedupe_key``), so a second run the same day creates nothing and sends nothing.
The documents' state is read in two queries whatever their number.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from core.notifications import notify
from governance.models import GovernanceDocument
from governance.selectors import Alert, AlertKind, document_statuses
from organisations.models import Membership, Role, User, active_on


@dataclass(frozen=True)
class WatchdogAlert:
    kind: AlertKind
    document_id: int
    document_title: str
    municipality_name: str
    notifications_created: int


@dataclass(frozen=True)
class WatchdogResult:
    alerts: tuple[WatchdogAlert, ...]

    @property
    def notifications_created(self) -> int:
        return sum(alert.notifications_created for alert in self.alerts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "notifications_created": self.notifications_created,
            "alerts": [
                {
                    "kind": str(alert.kind),
                    "document_id": alert.document_id,
                    "municipality": alert.municipality_name,
                    "notifications_created": alert.notifications_created,
                }
                for alert in self.alerts
            ],
        }

    def summary_lines(self) -> list[str]:
        """One line per alert for the command's output (operators read it in cron logs)."""
        return [
            f"{alert.municipality_name}: {alert.document_title} (#{alert.document_id}): "
            f"{alert.kind} ({alert.notifications_created} new notifications)"
            for alert in self.alerts
        ]


def _coordinators(municipality_ids: set[int], today: datetime.date) -> dict[int, list[User]]:
    """Active coordinators of each municipality today: one query."""
    found: dict[int, dict[int, User]] = {}
    memberships = Membership.objects.filter(
        active_on(today),
        role=Role.COORDINATOR,
        unit__municipality_id__in=municipality_ids,
        unit__is_active=True,
        user__is_active=True,
    ).select_related("user", "unit")
    for membership in memberships:
        found.setdefault(membership.unit.municipality_id, {})[membership.user_id] = membership.user
    return {mid: sorted(users.values(), key=lambda user: user.pk) for mid, users in found.items()}


def _message(document: GovernanceDocument, alert: Alert) -> tuple[str, str]:
    """The notification's text and the e-mail's subject."""
    text = _("%(title)s (%(municipality)s): %(alert)s.") % {
        "title": document.title,
        "municipality": document.municipality.name,
        "alert": alert.text,
    }
    if alert.kind == AlertKind.REVISION_DUE:
        subject = _("Samverkan: a governance document is due for revision")
    elif alert.kind == AlertKind.MEASURE_OVERDUE:
        subject = _("Samverkan: measures in an action plan are overdue")
    else:
        subject = _("Samverkan: a governance document is out of date")
    return text, subject


def watchdog_run(*, today: datetime.date) -> WatchdogResult:
    """Notify each municipality's coordinators once per document, alert and day."""
    statuses = [
        status
        for status in document_statuses(
            GovernanceDocument.objects.select_related("municipality").order_by(
                "municipality__name", "title", "pk"
            ),
            today=today,
        )
        if status.alerts
    ]
    if not statuses:
        return WatchdogResult(alerts=())
    recipients = _coordinators({status.document.municipality_id for status in statuses}, today)
    results = []
    for status in statuses:
        document = status.document
        coordinators = recipients.get(document.municipality_id, [])
        url = reverse("governance:document_detail", args=[document.pk])
        for alert in status.alerts:
            text, subject = _message(document, alert)
            created = notify(
                users=coordinators,
                text=text,
                url=url,
                dedupe_key=f"governance:{alert.kind}:{document.pk}:{today.isoformat()}",
                severity=alert.severity,
                email_subject=subject,
            )
            results.append(
                WatchdogAlert(
                    kind=alert.kind,
                    document_id=document.pk,
                    document_title=document.title,
                    municipality_name=document.municipality.name,
                    notifications_created=len(created),
                )
            )
    return WatchdogResult(alerts=tuple(results))
