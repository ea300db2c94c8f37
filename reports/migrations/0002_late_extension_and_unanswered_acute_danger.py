"""Keep the statutory decision deadline when an extension moves it, remember a deadline that
had passed before an extension was recorded, date every extension, and let the acute-danger
question stay unanswered until the reporter answers it.

Existing rows keep their acute-danger answers. The new deadline fields are filled from what
is known: the stored deadline of a report never extended is its statutory one; for an
extended report the audit trail of its extensions (written in the same transaction as each
extension) gives the original deadline, when each extension was recorded and whether one
came after the deadline in force.
"""

import dataclasses
import datetime

from django.conf import settings
from django.db import migrations, models
from django.db.models import F

_OVERRIDABLE = ("protection_late_hour", "decision_days", "feedback_days")


def _statutory_decision_due(report, DeadlineSettings):
    from reports import deadlines

    rules = dataclasses.replace(
        deadlines.DeadlineRules(), **getattr(settings, "REPORT_DEADLINES", {})
    )
    own = DeadlineSettings.objects.filter(municipality_id=report.municipality_id).first()
    if own is not None:
        changes = {n: getattr(own, n) for n in _OVERRIDABLE if getattr(own, n) is not None}
        rules = dataclasses.replace(rules, **changes)
    return deadlines.decision_due(report.submitted_at, rules)


def _next_due_of_undecided(report):
    # services._update_next_due at the time of this migration, for a report not yet decided
    # (so no feedback is pending): a missed decision deadline stays the one to meet.
    pending = [report.decision_missed_due_at or report.decision_due_at]
    if report.protection_assessed_at is None and report.protection_due_at:
        pending.append(report.protection_due_at)
    return min(moment for moment in pending if moment is not None)


def backfill(apps, schema_editor):
    ConcernReport = apps.get_model("reports", "ConcernReport")
    DeadlineSettings = apps.get_model("reports", "DeadlineSettings")
    AuditEvent = apps.get_model("access", "AuditEvent")
    ConcernReport.objects.filter(extended_until__isnull=True, decision_due_at__isnull=False).update(
        decision_due_original_at=F("decision_due_at")
    )
    extended = ConcernReport.objects.filter(
        extended_until__isnull=False, submitted_at__isnull=False
    )
    for report in extended.iterator():
        events = AuditEvent.objects.filter(
            object_type="reports.concernreport",
            object_id=str(report.pk),
            event_type="report_decision_extended",
        ).order_by("occurred_at", "id")
        original = None
        for event in events:
            old_due = event.new_values.get("old_due")
            old_due = datetime.datetime.fromisoformat(old_due) if old_due else None
            if original is None:
                original = old_due
            if report.decision_missed_due_at is None and old_due and event.occurred_at > old_due:
                report.decision_missed_due_at = old_due
            report.extension_recorded_at = event.occurred_at
        report.decision_due_original_at = original or _statutory_decision_due(
            report, DeadlineSettings
        )
        if report.decision_missed_due_at and report.decided_at is None:
            report.next_due_at = _next_due_of_undecided(report)
        report.save(
            update_fields=[
                "decision_due_original_at",
                "decision_missed_due_at",
                "extension_recorded_at",
                "next_due_at",
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("access", "0008_calendar_feed_event_types"),
    ]

    operations = [
        migrations.AddField(
            model_name="concernreport",
            name="decision_due_original_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="concernreport",
            name="decision_missed_due_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="concernreport",
            name="extension_recorded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="concernreport",
            name="acute_danger",
            field=models.BooleanField(
                blank=True, null=True, verbose_name="the child is in acute danger"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
