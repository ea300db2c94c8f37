"""The report watchdog: finds reports that sit unreceived or with an overdue step, and intakes
that have gone silent, and tells the people who can act (in the app, and by e-mail with a link
only — never child data).

It runs from cron (``manage.py report_watchdog``) or as the task ``reports.tasks.run_watchdog``,
as often as every 15 minutes: each alert is one notification per municipality, kind and local
day (``dedupe_key``), so a second run the same day creates nothing and sends nothing. The
queries are aggregates, one grouped query per kind, whatever the number of reports.

Settings: ``REPORT_UNRECEIVED_ALERT_HOURS`` (default 4), ``REPORT_SILENT_INTAKE_DAYS``
(default 7) and ``REPORT_SILENT_INTAKE_MIN_WAITING`` (default 3).
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.notifications import notify
from organisations.models import Membership, Municipality, Role, User, active_on
from reports.models import ConcernReport, ReportStatus


class AlertKind(StrEnum):
    UNRECEIVED = "unreceived"
    OVERDUE = "overdue"
    SILENT_INTAKE = "silent_intake"


@dataclass(frozen=True)
class Alert:
    """One kind of problem in one municipality, and how many notifications this run created."""

    kind: AlertKind
    municipality_id: int
    municipality_name: str
    count: int  # reports concerned (for a silent intake: the reports waiting)
    notifications_created: int


@dataclass(frozen=True)
class WatchdogResult:
    alerts: tuple[Alert, ...]

    @property
    def notifications_created(self) -> int:
        return sum(alert.notifications_created for alert in self.alerts)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (the task's return value): counts per municipality, no child data."""
        return {
            "notifications_created": self.notifications_created,
            "alerts": [
                {
                    "kind": str(alert.kind),
                    "municipality": alert.municipality_name,
                    "count": alert.count,
                    "notifications_created": alert.notifications_created,
                }
                for alert in self.alerts
            ],
        }

    def summary_lines(self) -> list[str]:
        """One line per municipality for the command's output (operators read it in cron logs)."""
        by_municipality: dict[str, list[Alert]] = {}
        for alert in self.alerts:
            by_municipality.setdefault(alert.municipality_name, []).append(alert)
        lines = []
        for name, alerts in sorted(by_municipality.items()):
            parts = [f"{_SUMMARY_LABELS[alert.kind]}: {alert.count}" for alert in alerts]
            created = sum(alert.notifications_created for alert in alerts)
            lines.append(f"{name}: {', '.join(parts)} ({created} new notifications)")
        return lines


_SUMMARY_LABELS = {
    AlertKind.UNRECEIVED: "not received in time",
    AlertKind.OVERDUE: "with an overdue step",
    AlertKind.SILENT_INTAKE: "waiting at a silent intake",
}


def unreceived_alert_hours() -> int:
    return int(getattr(settings, "REPORT_UNRECEIVED_ALERT_HOURS", 4))


def silent_intake_days() -> int:
    return int(getattr(settings, "REPORT_SILENT_INTAKE_DAYS", 7))


def silent_intake_min_waiting() -> int:
    return int(getattr(settings, "REPORT_SILENT_INTAKE_MIN_WAITING", 3))


# --- selectors: one grouped query per kind --------------------------------------------------


def unreceived_counts(*, now: datetime.datetime, hours: int) -> dict[int, int]:
    """Per municipality: submitted reports that have waited more than ``hours`` unreceived."""
    rows = (
        ConcernReport.objects.filter(
            status=ReportStatus.SUBMITTED, submitted_at__lt=now - datetime.timedelta(hours=hours)
        )
        .values("municipality_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["municipality_id"]: row["count"] for row in rows}


def overdue_counts(*, now: datetime.datetime) -> dict[int, int]:
    """Per municipality: open reports whose earliest pending deadline has passed."""
    rows = (
        ConcernReport.objects.filter(next_due_at__lt=now)
        .exclude(status__in=[ReportStatus.DRAFT, ReportStatus.CLOSED])
        .values("municipality_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["municipality_id"]: row["count"] for row in rows}


def silent_intake_counts(*, now: datetime.datetime, days: int, min_waiting: int) -> dict[int, int]:
    """Per municipality whose channel looks broken: reports were submitted to it in the last
    ``days`` days, its intake received none in that time, and at least ``min_waiting`` wait.
    The value is the number waiting."""
    since = now - datetime.timedelta(days=days)
    rows = (
        ConcernReport.objects.exclude(status=ReportStatus.DRAFT)
        .filter(
            Q(submitted_at__gte=since)
            | Q(received_at__gte=since)
            | Q(status=ReportStatus.SUBMITTED)
        )
        .values("municipality_id")
        .annotate(
            submitted=Count("id", filter=Q(submitted_at__gte=since)),
            received=Count("id", filter=Q(received_at__gte=since)),
            waiting=Count("id", filter=Q(status=ReportStatus.SUBMITTED)),
        )
        .filter(submitted__gt=0, received=0, waiting__gte=min_waiting)
        .order_by()
    )
    return {row["municipality_id"]: row["waiting"] for row in rows}


def _recipients(
    municipality_ids: set[int], roles: list[str], today: datetime.date
) -> dict[tuple[int, str], list[User]]:
    """Active users with a current role in each municipality, by (municipality, role): one
    query for all municipalities."""
    found: dict[tuple[int, str], dict[int, User]] = {}
    if not municipality_ids:
        return {}
    memberships = Membership.objects.filter(
        active_on(today),
        role__in=roles,
        unit__municipality_id__in=municipality_ids,
        unit__is_active=True,
        user__is_active=True,
    ).select_related("user", "unit")
    for membership in memberships:
        key = (membership.unit.municipality_id, membership.role)
        found.setdefault(key, {})[membership.user_id] = membership.user
    return {key: sorted(users.values(), key=lambda user: user.pk) for key, users in found.items()}


# --- the run --------------------------------------------------------------------------------


def watchdog_run(*, now: datetime.datetime) -> WatchdogResult:
    """Look for the three problems and notify once per municipality, kind and local day."""
    hours, days, min_waiting = (
        unreceived_alert_hours(),
        silent_intake_days(),
        silent_intake_min_waiting(),
    )
    found = {
        AlertKind.UNRECEIVED: unreceived_counts(now=now, hours=hours),
        AlertKind.OVERDUE: overdue_counts(now=now),
        AlertKind.SILENT_INTAKE: silent_intake_counts(now=now, days=days, min_waiting=min_waiting),
    }
    municipality_ids = {mid for counts in found.values() for mid in counts}
    if not municipality_ids:
        return WatchdogResult(alerts=())
    today = timezone.localdate(now)
    names = dict(Municipality.objects.filter(pk__in=municipality_ids).values_list("pk", "name"))
    recipients = _recipients(
        municipality_ids, [Role.INTAKE, Role.MUNICIPAL_ADMIN, Role.COORDINATOR], today
    )
    inbox = reverse("reports:inbox")
    alerts = []
    for kind, counts in found.items():
        for municipality_id, count in counts.items():
            name = names[municipality_id]
            intake = recipients.get((municipality_id, Role.INTAKE), [])
            dedupe_key = f"watchdog:{kind}:{municipality_id}:{today.isoformat()}"
            text, subject, url, severity = _message(kind, name, count, hours, days, inbox)
            created = notify(
                users=intake,
                text=text,
                url=url,
                dedupe_key=dedupe_key,
                severity=severity,
                email_subject=subject,
            )
            created_count = len(created)
            if kind == AlertKind.SILENT_INTAKE:
                # A broken channel is not only the intake's problem: the people who run the
                # municipality's routines must hear of it, also when the intake has nobody.
                intake_ids = {user.pk for user in intake}
                others = {
                    user.pk: user
                    for role in (Role.MUNICIPAL_ADMIN, Role.COORDINATOR)
                    for user in recipients.get((municipality_id, role), [])
                    if user.pk not in intake_ids
                }
                created_count += len(
                    notify(
                        users=list(others.values()),
                        text=text,
                        url=reverse("core:notifications"),
                        dedupe_key=dedupe_key,
                        severity=severity,
                        email_subject=subject,
                    )
                )
            alerts.append(
                Alert(
                    kind=kind,
                    municipality_id=municipality_id,
                    municipality_name=name,
                    count=count,
                    notifications_created=created_count,
                )
            )
    alerts.sort(key=lambda alert: (alert.municipality_name, list(AlertKind).index(alert.kind)))
    return WatchdogResult(alerts=tuple(alerts))


def _message(
    kind: AlertKind, municipality: str, count: int, hours: int, days: int, inbox: str
) -> tuple[str, str, str, str]:
    """Text, e-mail subject, link and severity of one alert: counts only, no child data."""
    values = {"count": count, "municipality": municipality, "hours": hours, "days": days}
    if kind == AlertKind.UNRECEIVED:
        text = ngettext(
            "%(count)s report to %(municipality)s has waited more than %(hours)s hours "
            "without being received.",
            "%(count)s reports to %(municipality)s have waited more than %(hours)s hours "
            "without being received.",
            count,
        )
        subject = _("Samverkan: reports are waiting to be received")
        return text % values, subject, inbox + "?status=submitted", "warning"
    if kind == AlertKind.OVERDUE:
        text = ngettext(
            "%(count)s report in %(municipality)s has an overdue step.",
            "%(count)s reports in %(municipality)s have an overdue step.",
            count,
        )
        subject = _("Samverkan: reports with overdue steps")
        return text % values, subject, inbox + "?overdue=1", "danger"
    text = ngettext(
        "No report has been received by the intake of %(municipality)s in %(days)s days "
        "although %(count)s is waiting — check that the intake's routine works.",
        "No report has been received by the intake of %(municipality)s in %(days)s days "
        "although %(count)s are waiting — check that the intake's routine works.",
        count,
    )
    subject = _("Samverkan: the intake has not received any reports for a long time")
    return text % values, subject, inbox + "?status=submitted", "danger"
