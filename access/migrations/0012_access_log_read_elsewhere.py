"""The reader's municipality on access-log rows of another municipality's data, and its index.

Rows written before this migration get it from the reader's unit. The log is append-only
(triggers refuse UPDATE, see 0003 and 0009), so the one backfilling UPDATE runs with the
table's own triggers lifted for that statement, by the owner role that runs migrations, inside
the migration's transaction: no other change can slip in while they are off.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BACKFILL = """
UPDATE access_accesslog SET staff_municipality_id = (
    SELECT unit.municipality_id FROM organisations_unit unit
    WHERE unit.id = access_accesslog.unit_id
)
WHERE unit_id IS NOT NULL AND municipality_id <> (
    SELECT unit.municipality_id FROM organisations_unit unit
    WHERE unit.id = access_accesslog.unit_id
)
"""


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        # Deferred foreign-key checks of rows written earlier in the transaction would make the
        # table busy for ALTER TABLE; run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("ALTER TABLE access_accesslog DISABLE TRIGGER USER")
        schema_editor.execute(BACKFILL)
        schema_editor.execute("ALTER TABLE access_accesslog ENABLE TRIGGER USER")
        return
    # SQLite: drop the table's UPDATE triggers and create them again as they were.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'access_accesslog' AND sql LIKE '%UPDATE%'"
        )
        triggers = cursor.fetchall()
    for name, _sql in triggers:
        schema_editor.execute(f'DROP TRIGGER "{name}"')
    schema_editor.execute(BACKFILL)
    for _name, sql in triggers:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0011_audit_event_type_in_code'),
        ('organisations', '0005_unit_staff_count'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='accesslog',
            name='staff_municipality',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.municipality', verbose_name="the reader's municipality, when another"),
        ),
        migrations.AddIndex(
            model_name='accesslog',
            index=models.Index(condition=models.Q(('staff_municipality__isnull', False)), fields=['staff_municipality', 'occurred_at', 'id'], name='access_log_read_elsewhere'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
