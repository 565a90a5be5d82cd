"""The slot engine: a doctor's free slots for a range of dates.

free = working hours − holidays − overrides(off) + overrides(on) − leave − active appointments
− waitlist holds (a freed slot held for the patient it is offered to: free for them only),
computed on wall-clock times in the hospital's zone and returned as aware datetimes. A slot on a
DST change keeps its wall-clock start (09:00 stays 09:00); a wall-clock time that does not exist
that day (the spring-forward gap) is skipped and one that happens twice (the autumn fold) is
offered once. The number of queries is 5 per call whatever the data volume, and results are
cached per doctor and date range under tokens that every change replaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from clinic.models import Doctor, Patient
from hms.lib import cached
from hms.lib.request import is_sane_day
from scheduling.models import (
    Appointment,
    Holiday,
    Leave,
    SlotOverride,
    WaitlistOffer,
    WorkingHours,
)

CACHE_TTL = 60 * 10


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, UTC
    end: datetime

    @property
    def local_start(self) -> datetime:
        return timezone.localtime(self.start)

    @property
    def key(self) -> str:
        """How a slot travels in a form: its UTC start, ISO formatted."""
        return self.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_slot_key(value: str) -> datetime | None:
    try:
        parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        return None
    return parsed.replace(tzinfo=UTC) if is_sane_day(parsed.date()) else None


def local_datetime(day: date, at: time) -> datetime | None:
    """`day` `at` in the hospital zone, or None if that wall-clock time does not exist (DST gap)."""
    zone = timezone.get_current_timezone()
    candidate = datetime.combine(day, at, tzinfo=zone)  # fold=0: the first of a repeated hour
    round_trip = candidate.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != candidate.replace(tzinfo=None):
        return None
    return candidate


def day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def booking_window(now: datetime | None = None) -> tuple[datetime, date]:
    """The earliest bookable start and the last bookable date."""
    now = now or timezone.now()
    earliest = now + timedelta(minutes=settings.HMS_BOOKING_MIN_NOTICE_MINUTES)
    last_day = timezone.localdate(now) + timedelta(days=settings.HMS_BOOKING_HORIZON_DAYS)
    return earliest, last_day


# --- Cache families (hms.lib.cached) ------------------------------------------------------

ALL_DOCTORS = "slots.all"  # holidays change every doctor's slots


def doctor_family(doctor_id: int) -> str:
    """The cache family of one doctor's slots: hours, overrides, leave and bookings."""
    return f"slots.doctor.{doctor_id}"


# --- The engine ---------------------------------------------------------------------------


def _wall_clock_slots(day: date, hours: list[WorkingHours], minutes: int) -> list[datetime]:
    step = timedelta(minutes=minutes)
    starts = []
    for interval in hours:
        cursor = datetime.combine(day, interval.start)
        last_start = datetime.combine(day, interval.end) - step
        previous_end = None
        while cursor <= last_start:
            aware = local_datetime(day, cursor.time())
            # Across the spring-forward gap a slot can end (in real time) after the next
            # wall-clock start: keep slots that do not overlap the one before.
            # (In UTC: datetimes sharing a tzinfo compare and add on the wall clock.)
            if aware is not None and (
                previous_end is None or aware.astimezone(UTC) >= previous_end
            ):
                starts.append(aware)
                previous_end = aware.astimezone(UTC) + step
            cursor += step
    return starts


def _utc_starts(day: date, hours: list[WorkingHours], minutes: int) -> set[datetime]:
    """The slot starts that `hours` give on `day`, in UTC."""
    return {s.astimezone(UTC) for s in _wall_clock_slots(day, hours, minutes)}


def default_starts(doctor: Doctor, day: date) -> set[datetime]:
    """The slot starts the weekly hours give on `day` (before overrides, leave and bookings)."""
    hours = list(WorkingHours.objects.filter(doctor=doctor, weekday=day.weekday()))
    return _utc_starts(day, hours, doctor.slot_minutes)


def compute_slots(
    doctor: Doctor, first_day: date, last_day: date, *, holder: Patient | None = None
) -> dict[date, list[Slot]]:
    """All free slots, ignoring "now" (see free_slots), without any cache. 5 queries. Slots held
    for a waitlist offer are busy, except those held for `holder`."""
    range_start, _ = day_bounds(first_day)
    _, range_end = day_bounds(last_day)
    length = timedelta(minutes=doctor.slot_minutes)
    hours_by_day = _hours_by_weekday(doctor)
    holidays = _holidays_between(first_day, last_day)
    overrides = _overrides_between(doctor, range_start, range_end)
    busy = _busy_between(doctor, range_start, range_end, holder)
    result: dict[date, list[Slot]] = {}
    day = first_day
    while day <= last_day:
        starts: set[datetime] = set()
        if day not in holidays:
            hours = hours_by_day.get(day.weekday(), [])
            starts = _offered_starts(day, hours, doctor.slot_minutes, overrides)
        result[day] = _free_slots_from(starts, length, busy)
        day += timedelta(days=1)
    return result


def _hours_by_weekday(doctor: Doctor) -> dict[int, list[WorkingHours]]:
    """The doctor's weekly hours by weekday, intervals in start order (1 query)."""
    hours_by_day: dict[int, list[WorkingHours]] = {}
    for interval in WorkingHours.objects.filter(doctor=doctor).order_by("start"):
        hours_by_day.setdefault(interval.weekday, []).append(interval)
    return hours_by_day


def _holidays_between(first_day: date, last_day: date) -> set[date]:
    """The hospital's holidays from `first_day` to `last_day` included (1 query)."""
    return set(
        Holiday.objects.filter(date__range=(first_day, last_day)).values_list("date", flat=True)
    )


def _overrides_between(doctor: Doctor, start: datetime, end: datetime) -> dict[datetime, bool]:
    """The doctor's slot overrides in [start, end): slot start -> offered or not (1 query)."""
    return dict(
        SlotOverride.objects.filter(doctor=doctor, start__gte=start, start__lt=end).values_list(
            "start", "available"
        )
    )


def _busy_between(
    doctor: Doctor, start: datetime, end: datetime, holder: Patient | None = None
) -> list[tuple[datetime, datetime]]:
    """(start, end) of the doctor's leave, live waitlist holds (but `holder`'s) and active
    appointments in [start, end) (2 queries: leave and holds are read in one)."""
    leave = Leave.objects.filter(doctor=doctor, start__lt=end, end__gt=start)
    holds = WaitlistOffer.objects.live().filter(doctor=doctor, start__lt=end, end__gt=start)
    if holder is not None:
        holds = holds.exclude(entry__patient=holder)
    closed = (
        leave.order_by()
        .values_list("start", "end")
        .union(holds.order_by().values_list("start", "end"), all=True)
    )
    appointments = Appointment.objects.occupying().filter(doctor=doctor).overlapping(start, end)
    return list(closed) + list(appointments.values_list("start", "end"))


def _offered_starts(
    day: date, hours: list[WorkingHours], minutes: int, overrides: dict[datetime, bool]
) -> set[datetime]:
    """Slot starts (UTC) offered on a working day: the weekly hours, then that day's overrides."""
    starts = _utc_starts(day, hours, minutes)
    day_start, day_end = day_bounds(day)
    for at, available in overrides.items():
        if day_start <= at < day_end:
            (starts.add if available else starts.discard)(at.astimezone(UTC))
    return starts


def _free_slots_from(
    starts: set[datetime], length: timedelta, busy: list[tuple[datetime, datetime]]
) -> list[Slot]:
    """Slots of `length` at `starts`, in order, leaving out those that overlap a busy interval."""
    return [
        Slot(start, start + length)
        for start in sorted(starts)
        if not any(b_start < start + length and b_end > start for b_start, b_end in busy)
    ]


def free_slots(
    doctor: Doctor,
    first_day: date,
    last_day: date,
    *,
    now: datetime | None = None,
    use_cache: bool = True,
    patient: Patient | None = None,
) -> dict[date, list[Slot]]:
    """Bookable slots per date: inside the horizon and not sooner than the minimum notice. With
    `patient`, the slots held for them (a waitlist offer) are free too."""
    earliest, horizon_end = booking_window(now)
    last_day = min(last_day, horizon_end)
    if last_day < first_day:
        return {}
    if patient is not None and holds_for(patient, doctor):
        computed = compute_slots(doctor, first_day, last_day, holder=patient)
    elif use_cache:
        # slot_minutes in the key: a changed appointment length is seen at once.
        key = f"{doctor.slot_minutes}:{first_day.isoformat()}:{last_day.isoformat()}"
        computed = cached.cached(
            [doctor_family(doctor.pk), ALL_DOCTORS],
            key,
            lambda: compute_slots(doctor, first_day, last_day),
            CACHE_TTL,
        )
    else:
        computed = compute_slots(doctor, first_day, last_day)
    return {day: [s for s in slots if s.start >= earliest] for day, slots in computed.items()}


def holds_for(patient: Patient, doctor: Doctor) -> bool:
    """Whether a slot of `doctor` is held for `patient` now (1 query)."""
    return WaitlistOffer.objects.live().filter(doctor=doctor, entry__patient=patient).exists()


def is_free(
    doctor: Doctor,
    start: datetime,
    *,
    now: datetime | None = None,
    patient: Patient | None = None,
) -> bool:
    """Whether `start` is an offered slot right now (for `patient`, counting the slots held for
    them as free), straight from the database (no cache)."""
    day = timezone.localdate(start)
    slots = free_slots(doctor, day, day, now=now, use_cache=False, patient=patient).get(day, [])
    return any(slot.start == start for slot in slots)


def next_free_slot(doctor: Doctor, *, now: datetime | None = None) -> Slot | None:
    today = timezone.localdate(now or timezone.now())
    _, horizon_end = booking_window(now)
    for slots in free_slots(doctor, today, horizon_end, now=now).values():
        if slots:
            return slots[0]
    return None
