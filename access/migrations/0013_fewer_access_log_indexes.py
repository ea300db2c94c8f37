"""Four fewer indexes on the access log, which every page that shows children writes to.

The foreign keys' own indexes repeat the first column of the composite indexes (municipality,
user) or serve nothing (unit: a unit is deactivated, never deleted), and PostgreSQL's pattern
index on child_ref serves no query (a reference is looked up whole). The models' state changes
as Django's operations would change it, but the database only drops the indexes: Django would
drop and re-create each foreign key (a check of every row of a national log) on PostgreSQL and
rebuild the table on SQLite (which would drop the append-only triggers with the old table).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROPPED = [
    "access_accesslog_municipality_id_d461192b",
    "access_accesslog_unit_id_4eb11309",
    "access_accesslog_user_id_e41672b7",
    "access_accesslog_child_ref_63c09c81_like",
]


def drop_indexes(_apps, schema_editor):
    quote = schema_editor.quote_name
    for name in DROPPED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")
    # The plain index on child_ref stays, under the name the model now gives it.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER INDEX IF EXISTS access_accesslog_child_ref_63c09c81"
            " RENAME TO access_log_child_ref"
        )
    else:
        schema_editor.execute("DROP INDEX IF EXISTS access_accesslog_child_ref_63c09c81")
        schema_editor.execute('CREATE INDEX access_log_child_ref ON access_accesslog ("child_ref")')


def restore_indexes(_apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS access_log_child_ref")
    for column, name in [
        ("municipality_id", DROPPED[0]),
        ("unit_id", DROPPED[1]),
        ("user_id", DROPPED[2]),
        ("child_ref", "access_accesslog_child_ref_63c09c81"),
    ]:
        schema_editor.execute(f'CREATE INDEX "{name}" ON access_accesslog ("{column}")')
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{DROPPED[3]}" ON access_accesslog (child_ref varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0012_access_log_read_elsewhere"),
        ("organisations", "0006_user_access_stamp"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="accesslog",
                    name="child_ref",
                    field=models.CharField(max_length=64, verbose_name="child reference"),
                ),
                migrations.AlterField(
                    model_name="accesslog",
                    name="municipality",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisations.municipality",
                        verbose_name="municipality",
                    ),
                ),
                migrations.AlterField(
                    model_name="accesslog",
                    name="unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisations.unit",
                    ),
                ),
                migrations.AlterField(
                    model_name="accesslog",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
                migrations.AddIndex(
                    model_name="accesslog",
                    index=models.Index(fields=["child_ref"], name="access_log_child_ref"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, restore_indexes)],
        ),
    ]
