"""Many simultaneous bookings of one slot: exactly one wins, the rest get a clean error.

Real threads, real transactions (each thread has its own database connection), on PostgreSQL
(exclusion constraints) and on SQLite (IMMEDIATE transactions) alike.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from clinic.tests.factories import DoctorFactory, PatientFactory
from scheduling import services
from scheduling.models import Appointment
from scheduling.tests.conftest import next_weekday_slot

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 20


def _race(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _open_doctor(**kwargs):
    doctor = DoctorFactory(**kwargs)
    for weekday in range(7):
        doctor.working_hours.create(weekday=weekday, start="08:00", end="18:00")
    return doctor


def _assert_one_winner(results):
    winners = [r for r in results if isinstance(r, Appointment)]
    losers = [r for r in results if not isinstance(r, Appointment)]
    assert len(winners) == 1, results
    assert all(isinstance(r, services.SchedulingError) for r in losers), losers
    return winners[0], losers


def test_twenty_patients_racing_for_one_slot(db):
    doctor = _open_doctor()
    patients = [PatientFactory() for _ in range(RACERS)]
    start = next_weekday_slot(10)

    results = _race(
        [
            (
                lambda p=p: services.appointment_book(
                    patient=p, doctor=doctor, start=start, by=p.user
                )
            )
            for p in patients
        ]
    )

    _, losers = _assert_one_winner(results)
    assert all(isinstance(r, services.SlotTaken | services.SlotUnavailable) for r in losers)
    assert Appointment.objects.filter(doctor=doctor).count() == 1


def test_overlapping_not_identical_times(db):
    # Half the racers book 10:00 (30 min), the other half 10:15 via an override (30 min).
    doctor = _open_doctor()
    start = next_weekday_slot(10)
    doctor.slot_overrides.create(start=start + timedelta(minutes=15), available=True)
    patients = [PatientFactory() for _ in range(RACERS)]

    results = _race(
        [
            (
                lambda p=p, i=i: services.appointment_book(
                    patient=p,
                    doctor=doctor,
                    start=start + timedelta(minutes=15 * (i % 2)),
                    by=p.user,
                )
            )
            for i, p in enumerate(patients)
        ]
    )

    _assert_one_winner(results)
    booked = list(Appointment.objects.occupying().filter(doctor=doctor))
    assert len(booked) == 1


def test_one_patient_booking_two_doctors_at_the_same_time(db):
    doctors = [_open_doctor() for _ in range(RACERS)]
    patient = PatientFactory()
    start = next_weekday_slot(10)

    results = _race(
        [
            (
                lambda d=d: services.appointment_book(
                    patient=patient, doctor=d, start=start, by=patient.user
                )
            )
            for d in doctors
        ]
    )

    _, losers = _assert_one_winner(results)
    assert all(isinstance(r, services.PatientBusy) for r in losers), losers
    assert Appointment.objects.filter(patient=patient).count() == 1


def test_database_backend_under_test():
    # Documents which engine the race tests above ran on in this run.
    assert connection.vendor in {"postgresql", "sqlite"}
