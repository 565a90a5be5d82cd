"""Trigram indexes for the staff search (`icontains` on names and e-mail) on PostgreSQL.

Django's `icontains` compiles to `UPPER(col::text) LIKE UPPER(%s)`, so the indexes are on
UPPER(col). SQLite (the embedded default) has no pg_trgm and scans, which is fine at its scale.
"""

from django.db import migrations

COLUMNS = ("first_name", "last_name", "email")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS accounts_user_{column}_trgm "
            f"ON accounts_user USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS accounts_user_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_name_index")]

    operations = [migrations.RunPython(create, drop)]
