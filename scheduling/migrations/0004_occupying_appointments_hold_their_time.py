"""Completed and missed (no-show) appointments hold their time, like booked and checked-in ones.

Before, only booked and checked-in appointments counted in the no-overlap constraints, so a visit
completed early freed its time for a second booking. This migration first looks for appointments
that already overlap under the new rule and stops, listing them, if it finds any (repair them,
then migrate again; `manage.py find_overlaps` lists them too). Then it rebuilds the unique
constraints and, on PostgreSQL, the exclusion constraints with the new condition.
"""

from django.db import migrations, models

OLD = "status IN ('booked', 'checked_in')"
NEW = "status IN ('booked', 'checked_in', 'completed', 'no_show')"


def find_overlaps(Appointment) -> list[str]:
    """Pairs of occupying appointments of one doctor or one patient that overlap (a copy of
    scheduling.integrity.find_overlaps as it was when this migration was written)."""
    found = []
    for side in ("doctor", "patient"):
        rows = (
            Appointment.objects.filter(status__in=["booked", "checked_in", "completed", "no_show"])
            .order_by(f"{side}_id", "start", "pk")
            .values_list(f"{side}_id", "pk", "start", "end", "status")
        )
        owner, running = None, []
        for owner_id, pk, start, end, status in rows.iterator(chunk_size=5000):
            if owner_id != owner:
                owner, running = owner_id, []
            running = [r for r in running if r[2] > start]
            found.extend(
                f"{side} {owner_id}: #{r[0]} {r[1]:%Y-%m-%d %H:%M}–{r[2]:%H:%M} UTC ({r[3]}) "
                f"overlaps #{pk} {start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC ({status})"
                for r in running
            )
            running.append((pk, start, end, status))
    return found


def refuse_existing_overlaps(apps, schema_editor):
    overlaps = find_overlaps(apps.get_model("scheduling", "Appointment"))
    if overlaps:
        listing = "\n  ".join(overlaps[:50])
        more = f"\n  … and {len(overlaps) - 50} more" if len(overlaps) > 50 else ""
        raise RuntimeError(
            f"{len(overlaps)} pair(s) of appointments overlap although both hold their time:\n  "
            f"{listing}{more}\nCancel or move one appointment of each pair (Django admin, "
            "Scheduling > Appointments; `manage.py find_overlaps` lists them), then migrate again."
        )


def _rebuild_exclusions(schema_editor, condition: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for who in ("doctor", "patient"):
        name = f"sched_appt_{who}_no_overlap"
        schema_editor.execute(
            f"ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS {name}"
        )
        schema_editor.execute(
            f"ALTER TABLE scheduling_appointment ADD CONSTRAINT {name} "
            f"EXCLUDE USING gist ({who}_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) "
            f"WHERE ({condition})"
        )


def forwards(apps, schema_editor):
    _rebuild_exclusions(schema_editor, NEW)


def backwards(apps, schema_editor):
    _rebuild_exclusions(schema_editor, OLD)


OCCUPYING = models.Q(("status__in", ["booked", "checked_in", "completed", "no_show"]))


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0003_appointment_at_most_a_day")]

    operations = [
        migrations.RunPython(refuse_existing_overlaps, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="appointment", name="sched_appt_doctor_slot_unique"),
        migrations.RemoveConstraint(
            model_name="appointment", name="sched_appt_patient_slot_unique"
        ),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.UniqueConstraint(
                condition=OCCUPYING,
                fields=("doctor", "start"),
                name="sched_appt_doctor_slot_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.UniqueConstraint(
                condition=OCCUPYING,
                fields=("patient", "start"),
                name="sched_appt_patient_slot_unique",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
