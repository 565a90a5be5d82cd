"""Writes on availability: weekly hours, single-slot overrides, leave, hospital holidays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clinic.models import Doctor
from hms.lib import cached
from scheduling import slots
from scheduling.models import (
    Appointment,
    Holiday,
    Leave,
    SlotOverride,
    WorkingHours,
)
from scheduling.services.appointments import (
    SchedulingError,
    appointments_cancel_many,
    slots_changed,
    time_freed,
)

# --- Availability -------------------------------------------------------------------------


HOURS_INCOMPLETE = (
    "The working hours changed meanwhile or arrived incomplete: nothing was saved. "
    "Please reload the page and try again."
)


def _overlapping_intervals(rows: list[tuple[int, time, time]]) -> str:
    """A message naming two intervals of one weekday that overlap, or "" when none do."""
    latest: dict[int, tuple[time, time]] = {}  # per weekday, the interval that ends last so far
    for day, start, end in sorted(rows):
        if day in latest and start < latest[day][1]:
            other = latest[day]
            return (
                f"{WorkingHours.Weekday(day).label}: {start:%H:%M}–{end:%H:%M} overlaps "
                f"{other[0]:%H:%M}–{other[1]:%H:%M}."
            )
        if day not in latest or end > latest[day][1]:
            latest[day] = (start, end)
    return ""


@transaction.atomic
def working_hours_edit_one(
    *,
    doctor: Doctor,
    by: User | None,
    pk: int | None,
    interval: tuple[int, time, time] | None,
) -> WorkingHours | None:
    """Add (pk None), change or remove (interval None) one interval of a doctor's weekly hours,
    read together with the others under the doctor's lock (Django admin edits one row)."""
    Doctor.objects.select_for_update().filter(pk=doctor.pk).first()
    others = [(h.pk, h.weekday, h.start, h.end) for h in doctor.working_hours.exclude(pk=pk)]
    if interval is None:
        working_hours_save(doctor=doctor, by=by, rows=others, deleted=[pk])
        return None
    return working_hours_save(doctor=doctor, by=by, rows=[*others, (pk, *interval)], deleted=[])[-1]


@transaction.atomic
def working_hours_save(
    *,
    doctor: Doctor,
    by: User | None,
    rows: list[tuple[int | None, int, time, time]],
    deleted: list[int],
) -> list[WorkingHours]:
    """Save a doctor's weekly hours. `rows` are (id or None for a new interval, weekday, start,
    end); `deleted` the ids of intervals to remove. Every existing interval must be in one of the
    two (nothing is removed by omission) and the intervals of a day may not overlap. Every change
    is kept as a version (who and when), like visit records. Returns the rows' intervals."""
    Doctor.objects.select_for_update().filter(pk=doctor.pk).first()  # one editor at a time
    existing = {hours.pk: hours for hours in doctor.working_hours.all()}
    named = [pk for pk, *_ in rows if pk] + list(deleted)
    if sorted(named) != sorted(existing):
        raise SchedulingError(HOURS_INCOMPLETE)
    clash = _overlapping_intervals([(day, start, end) for _, day, start, end in rows])
    if clash:
        raise SchedulingError(clash)
    for pk in deleted:
        existing[pk]._history_user = by
        existing[pk].delete()
    saved = []
    for pk, day, start, end in rows:
        hours = existing.get(pk) or WorkingHours(doctor=doctor)
        saved.append(hours)
        if hours.pk and (hours.weekday, hours.start, hours.end) == (day, start, end):
            continue
        hours.weekday, hours.start, hours.end = day, start, end
        hours._history_user = by
        hours.full_clean()
        hours.save()
    slots_changed(doctor.pk)
    _bookable_time_freed(doctor)
    return saved


def _bookable_time_freed(doctor: Doctor) -> None:
    """Hours changed: the waitlist is offered whatever of the bookable days is free."""
    earliest, last_day = slots.booking_window()
    time_freed(doctor.pk, earliest, slots.day_bounds(last_day)[1])


@transaction.atomic
def override_toggle(*, doctor: Doctor, start: datetime, available: bool) -> SlotOverride | None:
    """Switch one slot on or off. Returns the override row (None when back to the default)."""
    SlotOverride.objects.filter(doctor=doctor, start=start).delete()
    slots_changed(doctor.pk)
    if available:
        time_freed(doctor.pk, start, start + timedelta(minutes=doctor.slot_minutes))
    day = timezone.localdate(start)
    default = start in slots.default_starts(doctor, day)
    if available == default:
        return None
    return SlotOverride.objects.create(doctor=doctor, start=start, available=available)


def appointments_affected(
    *, start: datetime, end: datetime, doctor: Doctor | None = None
) -> list[Appointment]:
    """What new leave (of `doctor`: open appointments overlapping `start`–`end`) or a holiday (no
    doctor: open appointments starting that day, as `with_attention` flags them) would fall on.
    People decide whether to keep or cancel them."""
    found = Appointment.objects.open().with_related()
    if doctor is None:
        found = found.filter(start__gte=start, start__lt=end)
    else:
        found = found.filter(doctor=doctor).overlapping(start, end)
    return list(found.order_by("start"))


@transaction.atomic
def slots_switch_days(*, doctor: Doctor, days: list[date], available: bool) -> None:
    """Switch every slot of `days` on or off. Off means all: slots switched on outside the
    weekly hours go off too."""
    for day in days:
        for start in slots.default_starts(doctor, day):
            override_toggle(doctor=doctor, start=start, available=available)
        if not available:
            day_start, day_end = slots.day_bounds(day)
            for extra in SlotOverride.objects.filter(
                doctor=doctor, available=True, start__gte=day_start, start__lt=day_end
            ).values_list("start", flat=True):
                override_toggle(doctor=doctor, start=extra, available=False)


@transaction.atomic
def override_clear(*, override: SlotOverride) -> None:
    """Remove a single-slot override: the slot is back to what the weekly hours say."""
    doctor_id = override.doctor_id
    override.delete()
    slots_changed(doctor_id)
    if not override.available:
        length = timedelta(minutes=override.doctor.slot_minutes)
        time_freed(doctor_id, override.start, override.start + length)


@transaction.atomic
def leave_add(
    *,
    doctor: Doctor,
    start: datetime,
    end: datetime,
    reason: str,
    by: User,
    cancel_affected: bool = False,
) -> tuple[Leave, list[Appointment]]:
    """Add leave. The open appointments it covers are cancelled (patients notified) when
    `cancel_affected`, else kept and flagged ("Doctor on leave") until someone moves or cancels
    them. Returns the leave and the appointments it covers."""
    leave = Leave(doctor=doctor, start=start, end=end, reason=reason)
    leave.full_clean()
    leave.save()
    affected = appointments_affected(start=start, end=end, doctor=doctor)
    if cancel_affected:
        appointments_cancel_many(appointments=affected, by=by, reason="The doctor is on leave")
    slots_changed(doctor.pk)
    return leave, affected


@transaction.atomic
def leave_delete(*, leave: Leave) -> None:
    doctor_id = leave.doctor_id
    leave.delete()
    slots_changed(doctor_id)
    time_freed(doctor_id, leave.start, leave.end)


@transaction.atomic
def holiday_add(
    *, day: date, name: str, by: User, cancel_affected: bool = False
) -> tuple[Holiday, list[Appointment]]:
    """Close the hospital on `day`; like leave_add for the open appointments of that day."""
    holiday = Holiday(date=day, name=name)
    holiday.full_clean()
    holiday.save()
    affected = appointments_affected(start=slots.day_bounds(day)[0], end=slots.day_bounds(day)[1])
    if cancel_affected:
        appointments_cancel_many(appointments=affected, by=by, reason=f"Hospital holiday: {name}")
    cached.invalidate(slots.ALL_DOCTORS)
    return holiday, affected


@transaction.atomic
def holiday_delete(*, holiday: Holiday) -> None:
    holiday.delete()
    cached.invalidate(slots.ALL_DOCTORS)
    start, end = slots.day_bounds(holiday.date)
    for doctor_id in Doctor.objects.bookable().values_list("pk", flat=True):
        time_freed(doctor_id, start, end)
