"""Short references that can be read aloud, unique per municipality (``reports.references``).

Every report made before keeps the reference people have written down: the first eight hex
digits of its public id, as the pages showed it. Those were never checked for uniqueness, and
in a large municipality two reports may share one; then the earlier report (by arrival, then
creation) keeps it and the later one gets a new reference. The search still finds the later
report by its old reference too (``selectors_worklist``: an old-style reference also matches
the start of the public id), so no reference written down stops working.
"""

from django.db import migrations, models

import reports.references

BATCH = 1000


def keep_old_references(apps, schema_editor):
    ConcernReport = apps.get_model("reports", "ConcernReport")
    taken: set[tuple[int, str]] = set()
    changed = []
    rows = ConcernReport.objects.order_by("submitted_at", "created_at", "id").only(
        "id", "public_id", "municipality_id"
    )
    for report in rows.iterator(chunk_size=BATCH):
        code = str(report.public_id)[:8].upper()
        while (report.municipality_id, code) in taken:
            code = reports.references.new_reference_code()
        taken.add((report.municipality_id, code))
        report.reference_code = code
        changed.append(report)
        if len(changed) >= BATCH:
            ConcernReport.objects.bulk_update(changed, ["reference_code"])
            changed = []
    ConcernReport.objects.bulk_update(changed, ["reference_code"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_case_owner"),
    ]

    operations = [
        # Added empty first: a callable default is called once for all existing rows.
        migrations.AddField(
            model_name="concernreport",
            name="reference_code",
            field=models.CharField(
                default="", editable=False, max_length=12, verbose_name="reference"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(keep_old_references, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="concernreport",
            name="reference_code",
            field=models.CharField(
                default=reports.references.new_reference_code,
                editable=False,
                max_length=12,
                verbose_name="reference",
            ),
        ),
        migrations.AddConstraint(
            model_name="concernreport",
            constraint=models.UniqueConstraint(
                fields=("municipality", "reference_code"), name="report_reference_unique"
            ),
        ),
    ]
