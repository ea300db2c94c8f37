"""One row per cell of the summary tables. Buckets that two racing refreshes wrote twice
before the lock existed are emptied and marked, so that the next refresh recomputes them."""

import django.db.models.functions.comparison
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.utils import timezone


def empty_doubled_buckets(apps, schema_editor):
    rollup = apps.get_model("followup", "Rollup")
    change = apps.get_model("followup", "RollupChange")
    doubled = (
        rollup.objects.values("municipality_id", "source", "month", "sector", "metric")
        .annotate(cell_unit=Coalesce("unit_id", 0), rows=Count("id"))
        .filter(rows__gt=1)
        .order_by()
    )
    buckets = {(row["municipality_id"], row["source"], row["month"]) for row in doubled}
    now = timezone.now()
    for municipality_id, source, month in buckets:
        rollup.objects.filter(municipality_id=municipality_id, source=source, month=month).delete()
        change.objects.update_or_create(
            municipality_id=municipality_id,
            source=source,
            month=month,
            defaults={"marked_at": now},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0002_board_report"),
        ("organisations", "0002_membership_state_unit_path_not_empty"),
    ]

    operations = [
        migrations.RunPython(empty_doubled_buckets, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="rollup",
            constraint=models.UniqueConstraint(
                models.F("municipality"),
                models.F("source"),
                models.F("month"),
                django.db.models.functions.comparison.Coalesce("unit", 0),
                models.F("sector"),
                models.F("metric"),
                name="rollup_once",
            ),
        ),
    ]
