"""A completed or missed visit keeps its time: nobody can book it again, even when the visit was
completed before its start. Through the pages, the services, the database constraints, the repair
command and the migration that rebuilt the constraints."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from clinic.tests.factories import PatientFactory
from records.tests.conftest import RECORD
from scheduling.models import Appointment
from scheduling.slots import Slot
from scheduling.tests.factories import AppointmentFactory


def _local(day, hour, minute=0):
    zone = timezone.get_current_timezone()
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


@pytest.fixture
def morning():
    """The clock at 08:00 hospital time tomorrow (so that 11:30 is later the same day)."""
    day = timezone.localdate() + timedelta(days=1)
    with time_machine.travel(_local(day, 8), tick=False):
        yield day


@pytest.mark.django_db
def test_a_visit_completed_early_keeps_its_slot(client, doctor, patient, open_doctor, morning):
    start = _local(morning, 11, 30)
    key = Slot(start, start).key
    picker = reverse("scheduling:book", args=[open_doctor.pk]) + f"?date={morning.isoformat()}"
    client.force_login(patient)
    client.post(picker, {"date": morning.isoformat(), "slot": key, "reason": "Cough"})
    appointment = Appointment.objects.get()

    client.force_login(doctor)
    client.post(reverse("scheduling:appointment-action", args=[appointment.pk, "check_in"]))
    completed = client.post(reverse("records:complete-visit", args=[appointment.pk]), RECORD)
    assert completed.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "completed" and timezone.now() < appointment.start

    second = PatientFactory()
    client.force_login(second.user)
    offered = dict(client.get(picker).context["form"].fields["slot"].choices)
    assert key not in offered and Slot(start + timedelta(minutes=30), start).key in offered
    refused = client.post(picker, {"date": morning.isoformat(), "slot": key, "reason": "Rash"})
    assert "Sorry, 11:30 was just taken — please pick another time." in refused.content.decode()
    assert Appointment.objects.count() == 1

    client.force_login(doctor)
    today = client.get(reverse("scheduling:doctor-day") + f"?date={morning.isoformat()}")
    assert len(today.context["rows"]) == 1


@pytest.mark.django_db
def test_a_no_show_keeps_its_slot(patient, open_doctor, hospital_admin, morning):
    from scheduling import services, slots

    start = _local(morning, 11)
    earlier = _local(morning, 9)  # when the second patient looks, before the no-show is marked
    offered = slots.free_slots(open_doctor, morning, morning, now=earlier, use_cache=False)
    assert start in [s.start for s in offered[morning]]
    appointment = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=start, by=patient, now=earlier
    )
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        services.appointment_transition(
            appointment=appointment, action="no_show", by=hospital_admin
        )
    other = PatientFactory()

    offered = slots.free_slots(open_doctor, morning, morning, now=earlier, use_cache=False)
    assert start not in [s.start for s in offered[morning]]
    with pytest.raises(services.SlotUnavailable):
        services.appointment_book(
            patient=other, doctor=open_doctor, start=start, by=other.user, now=earlier
        )


@pytest.mark.django_db
def test_the_database_refuses_a_second_appointment_over_a_completed_one(open_doctor):
    from django.db import IntegrityError, transaction

    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
    AppointmentFactory(doctor=open_doctor, start=start, status=Appointment.Status.COMPLETED)

    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(doctor=open_doctor, start=start)


@pytest.mark.django_db
def test_find_overlaps_lists_pairs_for_repair(open_doctor, capsys):
    call_command("find_overlaps")
    assert "No overlapping appointments" in capsys.readouterr().out
    # Rows from before completed visits held their time: today's constraints refuse them, so
    # (inside this test's transaction, rolled back at the end) the exclusion constraint goes.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE scheduling_appointment DROP CONSTRAINT sched_appt_doctor_no_overlap"
            )
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
    first = AppointmentFactory(doctor=open_doctor, start=start, status="completed")
    second = AppointmentFactory(
        doctor=open_doctor, start=start + timedelta(minutes=15), status="no_show"
    )

    with pytest.raises(CommandError, match="1 overlapping pair"):
        call_command("find_overlaps")

    listed = capsys.readouterr().out
    assert f"#{first.pk}" in listed and f"#{second.pk}" in listed


@pytest.mark.django_db
def test_find_overlaps_names_every_pair_not_only_the_first(open_doctor):
    from scheduling.integrity import find_overlaps

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE scheduling_appointment DROP CONSTRAINT sched_appt_doctor_no_overlap"
            )
    nine = _local(timezone.localdate() + timedelta(days=1), 9)
    long = AppointmentFactory(doctor=open_doctor, start=nine, status="completed")
    Appointment.objects.filter(pk=long.pk).update(end=nine + timedelta(hours=3))
    inner = AppointmentFactory(doctor=open_doctor, start=nine + timedelta(hours=1))
    later = AppointmentFactory(doctor=open_doctor, start=nine + timedelta(minutes=75))

    pairs = {(o.first[0], o.second[0]) for o in find_overlaps() if o.side == "doctor"}

    assert pairs == {(long.pk, inner.pk), (long.pk, later.pk), (inner.pk, later.pk)}


@pytest.mark.django_db(transaction=True)
def test_the_migration_stops_and_lists_overlaps_before_rebuilding_the_constraints(open_doctor):
    executor = MigrationExecutor(connection)
    before = [("scheduling", "0003_appointment_at_most_a_day")]
    latest = executor.loader.graph.leaf_nodes("scheduling")
    executor.migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        Appt = old.get_model("scheduling", "Appointment")
        start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
        common = {"doctor_id": open_doctor.pk, "end": start + timedelta(minutes=30)}
        patients = [PatientFactory(), PatientFactory()]
        done = Appt.objects.create(
            **common, patient_id=patients[0].pk, start=start, status="completed"
        )
        again = Appt.objects.create(
            **common, patient_id=patients[1].pk, start=start, status="booked"
        )

        with pytest.raises(RuntimeError) as refused:
            MigrationExecutor(connection).migrate(latest)
        assert f"#{done.pk}" in str(refused.value) and f"#{again.pk}" in str(refused.value)
        assert "find_overlaps" in str(refused.value)

        Appt.objects.filter(pk=again.pk).update(status="cancelled")
    finally:
        MigrationExecutor(connection).migrate(latest)
