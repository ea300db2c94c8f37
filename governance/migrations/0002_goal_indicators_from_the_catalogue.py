"""Goals pick their indicator from the follow-up catalogue: the two keys the demo and early
users typed by hand become the catalogue's, and any other typed key is cleared (the goal and
its description stay; a coordinator picks the indicator from the list)."""

from django.db import migrations

RENAMED = {
    "reports_feedback_share": "feedback_on_time",
    "routine_read_share": "routine_confirmed",
}
# The catalogue's keys when this migration was written (the code's catalogue may grow).
KNOWN = {
    "reports_per_100_pupils",
    "silent_schools",
    "protection_on_time",
    "decision_days_median",
    "decision_days_p90",
    "decided_within_deadline",
    "feedback_on_time",
    "led_to_investigation",
    "meetings_held",
    "meetings_without_minutes",
    "attendance_by_sector",
    "intake_principal_coverage",
    "parent_meeting_coverage",
    "routine_confirmed",
    "document_days_to_revision",
}


def forwards(apps, schema_editor):
    Goal = apps.get_model("governance", "Goal")
    for old, new in RENAMED.items():
        Goal.objects.filter(indicator_key=old).update(indicator_key=new)
    Goal.objects.exclude(indicator_key="").exclude(indicator_key__in=KNOWN).update(
        indicator_key=""
    )


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
