"""Indexes for the staff's patient search (PatientQuerySet.search): the date of birth (B-tree,
every database) and, on PostgreSQL, a trigram index for phone digits found anywhere in the
number (`phone__contains` compiles to `phone::text LIKE '%…%'`, hence the expression)."""

from django.db import migrations, models


def create_phone_trgm(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS clinic_patient_phone_trgm "
        "ON clinic_patient USING gin ((phone::text) gin_trgm_ops)"
    )


def drop_phone_trgm(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS clinic_patient_phone_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0004_phone_numbering_plan"),
        ("accounts", "0005_trigram_search_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(fields=["date_of_birth"], name="clinic_patient_born"),
        ),
        migrations.RunPython(create_phone_trgm, drop_phone_trgm),
    ]
