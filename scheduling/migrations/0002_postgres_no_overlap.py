"""On PostgreSQL, the database itself refuses two active appointments that overlap in time, for
the same doctor or the same patient (exclusion constraints over tstzrange). SQLite has no such
constraint: there appointment_book checks for overlaps inside an IMMEDIATE transaction, which
holds the database write lock, so the check and the insert cannot interleave with another booking.
"""

from django.db import migrations

ACTIVE = "status IN ('booked', 'checked_in')"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for who in ("doctor", "patient"):
        schema_editor.execute(
            f"ALTER TABLE scheduling_appointment ADD CONSTRAINT sched_appt_{who}_no_overlap "
            f"EXCLUDE USING gist ({who}_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) "
            f"WHERE ({ACTIVE})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for who in ("doctor", "patient"):
        schema_editor.execute(
            f"ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS sched_appt_{who}_no_overlap"
        )


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
