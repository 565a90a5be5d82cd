"""Bench fixtures and the list of pages to load (writes var/bench/targets.json).

Run against the bench database after `seed_demo --size large`. Idempotent: removes the bookings
a previous bench run made, then picks doctors, days and free slots from the data as it is now.
"""

from __future__ import annotations

from datetime import date, timedelta

from bench.common import setup_django, write_json

BENCH_REASON = "bench booking"
BOOKING_PATIENTS = 20  # bulk-patient-00001 … 00020 book under load, one session each
BOOKING_DOCTORS = 60
BOOKINGS_WANTED = 6000


def remove_previous_bookings() -> int:
    from django.db import transaction

    from hms.lib import cached
    from scheduling import slots
    from scheduling.models import Appointment, AppointmentEvent

    with transaction.atomic():
        ids = list(Appointment.objects.filter(reason=BENCH_REASON).values_list("pk", flat=True))
        AppointmentEvent.objects.filter(appointment_id__in=ids).delete()
        Appointment.objects.filter(pk__in=ids).delete()
    cached.invalidate(slots.ALL_DOCTORS, now=True)
    return len(ids)


def busiest_doctor_day(today: date):
    """The doctor and day (this week) with the most appointments: a full schedule page."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from clinic.models import Doctor
    from scheduling.models import Appointment

    row = (
        Appointment.objects.filter(start__date__range=(today, today + timedelta(days=6)))
        .annotate(day=TruncDate("start"))
        .values("doctor", "day")
        .annotate(n=Count("pk"))
        .order_by("-n", "doctor", "day")
        .first()
    )
    return Doctor.objects.select_related("user").get(pk=row["doctor"]), row["day"], row["n"]


def next_working_day(doctor, after: date) -> date:
    from scheduling.models import WorkingHours

    weekdays = set(WorkingHours.objects.filter(doctor=doctor).values_list("weekday", flat=True))
    day = after
    while day.weekday() not in weekdays:
        day += timedelta(days=1)
    return day


def booking_plan(tomorrow: date, *, keep_out: set[int]) -> list[dict]:
    """(patient, doctor, slot) triples, each slot free and each patient's starts distinct. The
    doctors in `keep_out` (whose pages are measured) get no bookings: their pages must not grow
    from one round to the next."""
    from django.utils import timezone

    from clinic.models import Doctor, Patient
    from scheduling import slots
    from scheduling.models import Appointment

    patients = list(
        Patient.objects.filter(user__email__startswith="bulk-patient-")
        .select_related("user")
        .order_by("user__email")[:BOOKING_PATIENTS]
    )
    _, last_day = slots.booking_window()
    busy: dict[int, list[tuple]] = {p.pk: [] for p in patients}
    seen: set[tuple] = set()  # (patient, doctor, day)
    for a in Appointment.objects.occupying().filter(
        patient__in=patients, start__date__gte=tomorrow
    ):
        busy[a.patient_id].append((a.start, a.end))
        seen.add((a.patient_id, a.doctor_id, timezone.localdate(a.start)))
    doctors = (
        Doctor.objects.bookable()
        .filter(user__email__startswith="bulk-doctor-")
        .exclude(pk__in=keep_out)
    )
    plan: list[dict] = []
    for doctor in doctors.order_by("pk")[:BOOKING_DOCTORS]:
        for day, free in slots.free_slots(doctor, tomorrow, last_day, use_cache=False).items():
            for slot in free:
                # Slot lengths differ between doctors: a patient may not hold overlapping times.
                # A second time with the same doctor on the same day asks the patient to confirm
                # (issue 13): each patient sees a doctor once a day in the plan.
                patient = next(
                    (
                        p
                        for p in patients
                        if (p.pk, doctor.pk, day) not in seen
                        and not any(s < slot.end and e > slot.start for s, e in busy[p.pk])
                    ),
                    None,
                )
                if patient is None:
                    continue
                busy[patient.pk].append((slot.start, slot.end))
                seen.add((patient.pk, doctor.pk, day))
                plan.append(
                    {
                        "email": patient.user.email,
                        "doctor": doctor.pk,
                        "date": day.isoformat(),
                        "slot": slot.key,
                    }
                )
    # Interleave doctors so consecutive requests do not queue on one doctor's row locks.
    plan.sort(key=lambda b: (b["slot"], b["doctor"]))
    return plan[:BOOKINGS_WANTED]


def main() -> None:
    setup_django()
    from django.utils import timezone

    from accounts.models import User
    from clinic.models import Doctor, Patient
    from records.models import VisitRecord
    from scheduling.models import Appointment

    removed = remove_previous_bookings()
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    schedule_doctor, schedule_day, day_rows = busiest_doctor_day(today)
    picker_doctor = (
        Doctor.objects.bookable().filter(user__email__startswith="bulk-doctor-").order_by("pk")
    ).last()
    picker_day = next_working_day(picker_doctor, tomorrow)
    history_patient = Patient.objects.get(user__email="patient@example.com")
    plan = booking_plan(tomorrow, keep_out={schedule_doctor.pk, picker_doctor.pk})
    facts = {
        "appointments": Appointment.objects.count(),
        "doctors": Doctor.objects.count(),
        "patients": Patient.objects.count(),
        "users": User.objects.count(),
        "visit_records": VisitRecord.objects.count(),
        "history_records": VisitRecord.objects.filter(patient=history_patient).count(),
        "schedule_rows": day_rows,
        "bookings_planned": len(plan),
        "previous_bookings_removed": removed,
    }
    schedule_query = "" if schedule_day == today else f"?date={schedule_day.isoformat()}"
    patient = "patient@example.com"
    pages = [
        # name, server ("bare": bench/bare_settings.py), user (None: anonymous), path, target ÷ bare
        ("bare", "bare", None, "/hello", None),
        ("reference", "bare", None, "/reference", None),
        ("HMS hello, anonymous", "hms", None, "/_bench/hello", None),
        ("HMS hello, signed in", "hms", patient, "/_bench/hello", 0.35),
        ("Login page", "hms", None, "/accounts/login/", 0.35),
        ("Doctor directory", "hms", patient, "/clinic/doctors/", 0.06),
        (
            "Slot picker (one doctor-day)",
            "hms",
            patient,
            f"/scheduling/book/{picker_doctor.pk}/?date={picker_day.isoformat()}",
            0.06,
        ),
        (
            "Doctor's today schedule",
            "hms",
            schedule_doctor.user.email,
            f"/scheduling/today/{schedule_query}",
            0.06,
        ),
        ("Patient's appointments", "hms", patient, "/scheduling/my/", 0.045),
        ("Patient history", "hms", patient, "/records/my/", 0.045),
        (
            "Staff appointment list",
            "hms",
            "admin@example.com",
            "/scheduling/appointments/?when=upcoming",
            0.045,
        ),
        ("Analytics dashboard", "hms", "admin@example.com", "/reports/analytics/", 0.07),
    ]
    write_json(
        "targets.json",
        {
            "facts": facts,
            "schedule_day": schedule_day.isoformat(),
            "pages": [
                {"name": n, "server": s, "user": u, "path": p, "target": t}
                for n, s, u, p, t in pages
            ],
            "booking": {
                "name": "Booking POST",
                "server": "hms",
                "user": "bulk patients",
                "path": "/scheduling/book/<doctor>/",
                "target": 0.04,
            },
            "bookings": plan,
        },
    )
    print(f"bench fixtures: {facts}")


if __name__ == "__main__":
    main()
