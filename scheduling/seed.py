"""Demo availability and appointments for `manage.py seed_demo` (idempotent)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clinic.models import Doctor, Patient
from hms.lib import cached
from scheduling import slots
from scheduling.models import Appointment, AppointmentEvent, Holiday, WorkingHours

WEEKLY = [(d, time(9), time(13)) for d in range(5)] + [(d, time(14), time(17)) for d in range(5)]
REASONS = [
    "Follow-up",
    "Chest pain",
    "Annual check-up",
    "Rash",
    "Headache",
    "Back pain",
    "Blood pressure review",
    "Cough",
    "Knee pain",
    "Vaccination",
    "",
    "",
]


def seed_working_hours() -> int:
    missing = list(
        Doctor.objects.filter(working_hours__isnull=True).values_list("pk", "user__email")
    )
    weekend = [(d, s, e) for d in (5, 6) for _, s, e in (WEEKLY[0], WEEKLY[5])]
    saturday = [(5, time(9), time(12))]
    bulk_create_with_history(
        [
            WorkingHours(doctor_id=pk, weekday=w, start=s, end=e)
            for pk, email in missing
            # The demo doctor works every day, so "Today" always has something to show.
            for w, s, e in WEEKLY
            + (weekend if email == "doctor@example.com" else saturday if pk % 3 == 0 else [])
        ],
        WorkingHours,
        batch_size=5000,
    )
    return len(missing)


def seed_holidays(today: date) -> None:
    for month, day, name in (
        (12, 25, "Christmas Day"),
        (12, 26, "Boxing Day"),
        (1, 1, "New Year's Day"),
    ):
        year = today.year if (month, day) >= (today.month, today.day) else today.year + 1
        Holiday.objects.get_or_create(date=date(year, month, day), defaults={"name": name})


def _day_starts(doctor: Doctor, day: date, hours: dict[int, list[WorkingHours]]) -> list:
    return sorted(slots._wall_clock_slots(day, hours.get(day.weekday(), []), doctor.slot_minutes))


def _status_for(start, now, rng: random.Random) -> str:
    if start >= now:
        return Appointment.Status.BOOKED if rng.random() < 0.93 else Appointment.Status.CANCELLED
    roll = rng.random()
    if roll < 0.78:
        return Appointment.Status.COMPLETED
    if roll < 0.88:
        return Appointment.Status.CANCELLED
    return Appointment.Status.NO_SHOW


def _generate(
    doctors,
    patients,
    *,
    days_back: int,
    days_ahead: int,
    fill: float,
    rng: random.Random,
    limit: int | None = None,
):
    """Yield non-overlapping Appointment objects (per doctor and per patient-day)."""
    now = timezone.now()
    today = timezone.localdate()
    holidays = set(Holiday.objects.values_list("date", flat=True))
    hours = _hours_by_doctor(doctors)
    patient_days: set[tuple[int, date]] = set()
    produced = 0
    for day, doctor, start in _slot_starts(doctors, hours, holidays, today, days_back, days_ahead):
        if rng.random() > fill:
            continue
        patient = _patient_free_on(day, patients, patient_days, rng)
        if patient is None:
            continue
        patient_days.add((patient, day))
        yield _demo_appointment(doctor, patient, start, now, rng)
        produced += 1
        if limit and produced >= limit:
            return


def _hours_by_doctor(doctors) -> dict[int, dict[int, list[WorkingHours]]]:
    """The doctors' weekly hours: doctor id -> weekday -> intervals in start order."""
    hours: dict[int, dict[int, list[WorkingHours]]] = {}
    for wh in WorkingHours.objects.filter(doctor__in=doctors).order_by("start"):
        hours.setdefault(wh.doctor_id, {}).setdefault(wh.weekday, []).append(wh)
    return hours


def _slot_starts(doctors, hours, holidays: set[date], today: date, days_back: int, days_ahead: int):
    """Yield (day, doctor, slot start) for every slot the weekly hours give, holidays left out."""
    # Future days first, then back into the past: a `limit` cuts off the oldest days.
    for offset in [*range(days_ahead + 1), *range(-1, -days_back - 1, -1)]:
        day = today + timedelta(days=offset)
        if day in holidays:
            continue
        for doctor in doctors:
            for start in _day_starts(doctor, day, hours.get(doctor.pk, {})):
                yield day, doctor, start


def _patient_free_on(day: date, patients, patient_days: set, rng: random.Random) -> int | None:
    """A random patient with no appointment yet on `day`, or None after 5 tries."""
    for _ in range(5):
        patient = rng.choice(patients)
        if (patient, day) not in patient_days:
            return patient
    return None


def _demo_appointment(
    doctor: Doctor, patient: int, start: datetime, now: datetime, rng: random.Random
) -> Appointment:
    """One slot-long appointment with a plausible status and reason for its time."""
    status = _status_for(start, now, rng)
    return Appointment(
        doctor_id=doctor.pk,
        patient_id=patient,
        start=start,
        end=start + timedelta(minutes=doctor.slot_minutes),
        status=status,
        reason=rng.choice(REASONS),
        cancel_reason="Patient request" if status == "cancelled" else "",
        cancelled_at=start - timedelta(days=1) if status == "cancelled" else None,
    )


@transaction.atomic
def seed_small() -> dict[str, int]:
    """Hours for every doctor, holidays, and a few months of appointments for the demo set."""
    rng = random.Random(11)  # noqa: S311 - demo data
    today = timezone.localdate()
    hours = seed_working_hours()
    seed_holidays(today)
    if Appointment.objects.exists():
        return {"working_hours": hours, "appointments": 0}
    doctors = list(Doctor.objects.bookable().filter(user__email__endswith="@example.com"))
    patients = list(
        Patient.objects.filter(user__email__endswith="@example.com", is_active=True).values_list(
            "pk", flat=True
        )
    )
    made = Appointment.objects.bulk_create(
        _generate(doctors, patients, days_back=60, days_ahead=14, fill=0.12, rng=rng)
    )
    AppointmentEvent.objects.bulk_create(
        AppointmentEvent(
            appointment=a, action="booked", to_status="booked", at=a.start - timedelta(days=3)
        )
        for a in made
    )
    cached.invalidate(slots.ALL_DOCTORS)
    return {"working_hours": hours, "appointments": len(made)}


def seed_bulk(*, target: int, batch_size: int = 5000) -> int:
    """Bring the number of appointments up to `target` (large data set); returns how many added."""
    bulk = Appointment.objects.filter(doctor__user__email__startswith="bulk-doctor-")
    if bulk.exists():  # generated in one go; a second run adds nothing
        return 0
    have = Appointment.objects.count()
    seed_working_hours()
    rng = random.Random(99)  # noqa: S311 - demo data
    doctors = list(Doctor.objects.bookable().filter(user__email__startswith="bulk-doctor-"))
    patients = list(
        Patient.objects.filter(user__email__startswith="bulk-patient-").values_list("pk", flat=True)
    )
    if not doctors or not patients:
        return 0
    # About 22 slots a doctor-day; spread the target over the past year and the next 2 weeks.
    days = 380
    per_day = len(doctors) * 22 * 5 / 7
    fill = min(0.95, (target - have) / (per_day * days) * 1.05)
    added, batch = 0, []
    for appointment in _generate(
        doctors,
        patients,
        days_back=days - 15,
        days_ahead=14,
        fill=fill,
        rng=rng,
        limit=target - have,
    ):
        batch.append(appointment)
        if len(batch) >= batch_size:
            Appointment.objects.bulk_create(batch)
            added += len(batch)
            batch = []
    if batch:
        Appointment.objects.bulk_create(batch)
        added += len(batch)
    cached.invalidate(slots.ALL_DOCTORS, now=True)
    return added
