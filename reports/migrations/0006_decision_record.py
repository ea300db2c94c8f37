"""What a decision records besides the decision itself: its reasons, who made it under which
point of the delegation order, and the case number in the social services' record system; and
a municipality's usual delegation point.

Until now the person who recorded a decision was the one the page named as deciding: they stay
its decision maker. The delegation point was not recorded and stays blank ("not recorded").
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def decided_by_decided(apps, schema_editor):
    ConcernReport = apps.get_model("reports", "ConcernReport")
    ConcernReport.objects.filter(decided_by__isnull=False).update(decision_maker=F("decided_by"))


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_feedback_within_a_week"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="concernreport",
            name="case_number",
            field=models.CharField(blank=True, max_length=40, verbose_name="case number"),
        ),
        migrations.AddField(
            model_name="concernreport",
            name="decision_maker",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="decision maker",
            ),
        ),
        migrations.AddField(
            model_name="concernreport",
            name="decision_reasons",
            field=models.TextField(blank=True, verbose_name="reasons for the decision"),
        ),
        migrations.AddField(
            model_name="concernreport",
            name="delegation_point",
            field=models.CharField(blank=True, max_length=100, verbose_name="delegation point"),
        ),
        migrations.AddField(
            model_name="deadlinesettings",
            name="delegation_point",
            field=models.CharField(blank=True, max_length=100, verbose_name="delegation point"),
        ),
        migrations.RunPython(decided_by_decided, migrations.RunPython.noop, elidable=False),
    ]
