"""Hospital analytics: aggregates computed in the database, a fixed number of queries whatever
the volume, cached briefly (the numbers move with every booking; a minute old is fine)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from clinic.models import Doctor, Patient
from hms.lib import cached
from scheduling.models import Appointment, Holiday, WorkingHours

CACHE_SECONDS = 300
LATE_CANCEL = timedelta(hours=24)


def _range(days: int) -> tuple[date, date, datetime, datetime]:
    zone = timezone.get_current_timezone()
    last = timezone.localdate()
    first = last - timedelta(days=days - 1)
    return (
        first,
        last,
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
    )


STATISTICS = "reports.statistics"  # the cache family: invalidated by every write behind them


def hospital_analytics(days: int) -> dict:
    key = f"{days}:{timezone.localdate().isoformat()}"
    return cached.cached(STATISTICS, key, lambda: _compute(days), CACHE_SECONDS)


def _compute(days: int) -> dict:
    """Every number on the analytics page for the `days` days up to today (9 queries)."""
    first, last, start, end = _range(days)
    window = Appointment.objects.filter(start__gte=start, start__lt=end)
    per_day = _daily_counts(window, first, days)
    by_status = _status_counts(window)
    by_department = _department_counts(window)
    late_cancels = _late_cancellations(window)
    new_patients = _new_patients_by_week(start, end)
    attended = by_status.get("completed", 0) + by_status.get("no_show", 0)
    total = sum(by_status.values())
    return {
        # This computation's identity: the page's drawn charts and tables are cached under it
        # (templates/reports/analytics.html), so they are drawn again only when this is.
        "version": uuid.uuid4().hex,
        "days": days,
        "first": first,
        "last": last,
        "per_day": per_day,
        "by_status": [
            (label, by_status.get(value, 0)) for value, label in Appointment.Status.choices
        ],
        "by_department": by_department,
        "total": total,
        "no_show_rate": by_status.get("no_show", 0) / attended if attended else None,
        "late_cancel_rate": late_cancels / total if total else None,
        "new_patients": new_patients,
        "utilisation": _utilisation(first, last, start, end),
    }


def _daily_counts(window: QuerySet, first: date, days: int) -> list[tuple[date, int]]:
    """Appointments (not cancelled) on each day of the range, 0 on days without any."""
    per_day = dict(
        window.exclude(status="cancelled")
        .annotate(day=TruncDate("start", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return [
        (first + timedelta(days=i), per_day.get(first + timedelta(days=i), 0)) for i in range(days)
    ]


def _status_counts(window: QuerySet) -> dict[str, int]:
    """Appointments per status; statuses without any are absent."""
    return dict(window.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))


def _department_counts(window: QuerySet) -> list[tuple[str, int]]:
    """Appointments (not cancelled) per department, busiest first."""
    return list(
        window.exclude(status="cancelled")
        .values_list("doctor__department__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )


def _late_cancellations(window: QuerySet) -> int:
    """Cancellations within LATE_CANCEL of the start; a reschedule is not one."""
    return (
        window.filter(status="cancelled", cancelled_at__gt=F("start") - LATE_CANCEL)
        .exclude(cancel_reason="Rescheduled")
        .count()
    )


def _new_patients_by_week(start: datetime, end: datetime) -> list[tuple[date, int]]:
    """Patients registered in the range per week, as (the week's Monday, count), oldest first."""
    per_week = dict(
        Patient.objects.filter(created__gte=start, created__lt=end)
        .annotate(week=TruncWeek("created", tzinfo=timezone.get_current_timezone()))
        .values_list("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    return sorted((d.date() if hasattr(d, "date") else d, n) for d, n in per_week.items())


def _utilisation(first: date, last: date, start: datetime, end: datetime) -> list[dict]:
    """Booked vs offered slots per doctor over the range (offered = weekly hours cut into the
    doctor's appointment length, on days that are not holidays). 4 queries."""
    holidays = set(Holiday.objects.filter(date__range=(first, last)).values_list("date", flat=True))
    weekday_count: dict[int, int] = defaultdict(int)
    day = first
    while day <= last:
        if day not in holidays:
            weekday_count[day.weekday()] += 1
        day += timedelta(days=1)
    doctors = {
        d.pk: {"name": d.display_name, "offered": 0, "booked": 0, "minutes": d.slot_minutes}
        for d in Doctor.objects.bookable().select_related("user")
    }
    for doctor_id, weekday, s, e in WorkingHours.objects.filter(doctor_id__in=doctors).values_list(
        "doctor_id", "weekday", "start", "end"
    ):
        minutes = (e.hour * 60 + e.minute) - (s.hour * 60 + s.minute)
        doctors[doctor_id]["offered"] += (minutes // doctors[doctor_id]["minutes"]) * (
            weekday_count[weekday]
        )
    for doctor_id, n in (
        Appointment.objects.filter(start__gte=start, start__lt=end, doctor_id__in=doctors)
        .exclude(status="cancelled")
        .values_list("doctor_id")
        .annotate(n=Count("pk"))
        .values_list("doctor_id", "n")
    ):
        doctors[doctor_id]["booked"] = n
    rows = [
        {**d, "rate": d["booked"] / d["offered"] if d["offered"] else None}
        for d in doctors.values()
    ]
    return sorted(rows, key=lambda r: (-(r["rate"] or 0), r["name"]))[:15]
