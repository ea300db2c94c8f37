"""The access log's foreign keys lose their database constraints on PostgreSQL: each one is
checked with a lookup per written row (2.9 of the 3.9 ms a list page's 45 rows took to insert).
PROTECT still holds in Django's delete collector.

SQLite keeps its constraints: dropping one there rebuilds the table, and the rebuild would drop
the append-only triggers of 0003; SQLite is the demo's database, which writes few rows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "access_accesslog"
COLUMNS = {
    "user_id": ("organisations_user", "id"),
    "unit_id": ("organisations_unit", "id"),
    "municipality_id": ("organisations_municipality", "id"),
    "staff_municipality_id": ("organisations_municipality", "id"),
}


def _foreign_keys(schema_editor) -> dict[str, str]:
    """The constraint's name for each of the columns above that has one."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return {
        details["columns"][0]: name
        for name, details in constraints.items()
        if details["foreign_key"] and details["columns"][0] in COLUMNS
    }


def drop_checks(_apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for name in _foreign_keys(schema_editor).values():
        schema_editor.execute(f"ALTER TABLE {quote(TABLE)} DROP CONSTRAINT {quote(name)}")


def restore_checks(_apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    present = _foreign_keys(schema_editor)
    for column, (table, key) in COLUMNS.items():
        if column in present:
            continue
        name = f"{TABLE}_{column}_fk"
        schema_editor.execute(
            f"ALTER TABLE {quote(TABLE)} ADD CONSTRAINT {quote(name)} FOREIGN KEY ({quote(column)})"
            f" REFERENCES {quote(table)} ({quote(key)}) DEFERRABLE INITIALLY DEFERRED"
        )


def _field(to, **kwargs):
    return models.ForeignKey(
        db_constraint=False,
        db_index=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to=to,
        **kwargs,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0013_fewer_access_log_indexes"),
        ("organisations", "0006_user_access_stamp"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="accesslog",
                    name="municipality",
                    field=_field("organisations.municipality", verbose_name="municipality"),
                ),
                migrations.AlterField(
                    model_name="accesslog",
                    name="staff_municipality",
                    field=_field(
                        "organisations.municipality",
                        blank=True,
                        null=True,
                        verbose_name="the reader's municipality, when another",
                    ),
                ),
                migrations.AlterField(
                    model_name="accesslog",
                    name="unit",
                    field=_field("organisations.unit", blank=True, null=True),
                ),
                migrations.AlterField(
                    model_name="accesslog",
                    name="user",
                    field=_field(settings.AUTH_USER_MODEL, verbose_name="user"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_checks, restore_checks)],
        ),
    ]
