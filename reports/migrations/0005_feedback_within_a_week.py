"""Feedback within one week of the decision (SoL 19 kap. 6 § as amended by SFS 2025:1501), and
the reporter's later request for feedback.

The default of ``feedback_days`` moves from 14 to 7 in code (``reports.deadlines``). What a
municipality stored is handled like this:

- No own value (blank): it follows the default, so it moves to 7 days without a migration.
- An own value of 14 that a person chose on the settings page (the audit event of the change
  that set it names its actor) is the municipality's decision: it stays, and the settings
  page shows it beside the new default.
- An own value of 14 that no person chose there (set by a script, a fixture or the database;
  no audit event of an actor set it) was the old default written down: it is cleared, so the
  municipality follows the law's new default, and an audit event without an actor says so.
- Any other own value stays as it is.

Deadlines already set on reports stay as they are: a deadline is fixed when the decision is
made, as it always was when the rules changed (the settings page says so).
"""

from django.conf import settings
from django.db import migrations, models

OLD_DEFAULT = 14
CHANGED = "deadline_settings_changed"


def _chosen_by_a_person(AuditEvent, own) -> bool:
    """Whether the latest change of ``feedback_days`` that led to the stored value was made by
    someone (the settings service writes old and new values with its actor)."""
    events = AuditEvent.objects.filter(
        event_type=CHANGED, object_type="reports.deadlinesettings", object_id=str(own.pk)
    ).order_by("-occurred_at", "-id")
    for event in events:
        new = event.new_values.get("feedback_days")
        if new == event.old_values.get("feedback_days"):
            continue  # this change left the feedback days alone
        return new == own.feedback_days and event.actor_id is not None
    return False


def follow_the_new_default(apps, schema_editor):
    DeadlineSettings = apps.get_model("reports", "DeadlineSettings")
    AuditEvent = apps.get_model("access", "AuditEvent")
    for own in DeadlineSettings.objects.filter(feedback_days=OLD_DEFAULT):
        if _chosen_by_a_person(AuditEvent, own):
            continue
        own.feedback_days = None
        own.save(update_fields=["feedback_days"])
        AuditEvent.objects.create(
            actor=None,
            municipality_id=own.municipality_id,
            event_type=CHANGED,
            object_type="reports.deadlinesettings",
            object_id=str(own.pk),
            old_values={"feedback_days": OLD_DEFAULT},
            new_values={
                "feedback_days": None,
                "why": "The old default of 14 days, never chosen on the settings page: the "
                "municipality now follows the law's default (SoL 19 kap. 6 §, one week).",
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0011_audit_event_type_in_code"),
        ("reports", "0004_reference_code"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="concernreport",
            name="feedback_request_recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="concernreport",
            name="feedback_requested_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(follow_the_new_default, migrations.RunPython.noop, elidable=False),
    ]
