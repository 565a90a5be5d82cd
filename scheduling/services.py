"""Writes for scheduling: booking, rescheduling, cancelling and status changes; availability.

Double booking is impossible: the database refuses it (unique and, on PostgreSQL, exclusion
constraints) and the services turn that refusal into a clean domain error. Every service that
changes the inputs of the slot engine busts the doctor's slot cache after commit.
"""

from __future__ import annotations

import logging
import time as time_module
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from accounts.models import User
from clinic.models import Doctor, Patient
from hms.lib import cached, outbox
from scheduling import slots
from scheduling.models import (
    Appointment,
    AppointmentEvent,
    Holiday,
    Leave,
    SlotOverride,
    WorkingHours,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")


class SchedulingError(Exception):
    """A refusal with a message fit to show the user."""


class SlotTaken(SchedulingError):
    pass


class SlotUnavailable(SchedulingError):
    pass


class PatientBusy(SchedulingError):
    pass


class NotAllowed(SchedulingError):
    pass


SLOT_TAKEN = "This slot was just taken — please pick another."
ACTION_PHRASES = {
    "check_in": "check the patient in",
    "complete": "complete it",
    "no_show": "mark it as a no-show",
    "cancel": "cancel it",
    "reschedule": "reschedule it",
}


def _refusal(appointment: Appointment, action: str) -> str:
    """Why `action` was refused, in words for the person who tried."""
    phrase = ACTION_PHRASES.get(action, action)
    if appointment.status not in Appointment.TRANSITIONS.get(action, ((),))[0]:
        return (
            f"This appointment is {appointment.get_status_display().lower()}: you cannot {phrase}."
        )
    if action == "no_show":
        return "A no-show can be marked only once the appointment's start time has passed."
    return f"You cannot {phrase} now."


PATIENT_BUSY = "The patient already has an appointment at this time."
RETRYABLE_PGCODES = {"40001", "40P01"}  # serialization failure, deadlock


def _with_retries(operation: Callable[[], T], attempts: int = 3) -> T:
    """Run `operation` (an atomic block) again after a deadlock or serialization failure."""
    for attempt in range(1, attempts + 1):
        try:
            return operation()
        except OperationalError as exc:
            code = getattr(getattr(exc, "__cause__", None), "sqlstate", None)
            locked = "database is locked" in str(exc)
            if attempt == attempts or not (code in RETRYABLE_PGCODES or locked):
                raise
            logger.warning("Retrying after %s (attempt %s)", code or "lock timeout", attempt)
            time_module.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def _integrity_to_domain(exc: IntegrityError) -> SchedulingError:
    text = str(exc)
    if "patient" in text:
        return PatientBusy(PATIENT_BUSY)
    return SlotTaken(SLOT_TAKEN)


def _event(
    appointment: Appointment, *, actor: User | None, action: str, from_status: str, reason: str = ""
) -> None:
    AppointmentEvent.objects.create(
        appointment=appointment,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=appointment.status,
        reason=reason,
    )


def _bust_after_commit(doctor_id: int) -> None:
    cached.invalidate(slots.doctor_family(doctor_id))


def _notify(kind: str, appointment: Appointment, *, by: User) -> None:
    """Record the e-mails a booking, move or cancellation causes, in its transaction (sent by a
    worker after commit, each once: scheduling/tasks.py)."""
    key = f"appointment:{appointment.pk}:{kind}"
    outbox.enqueue("scheduling.patient_email", kind, appointment.pk, key=f"{key}:patient")
    if kind in ("cancelled", "rescheduled") and by.pk == appointment.patient.user_id:
        outbox.enqueue("scheduling.doctor_notice", kind, appointment.pk, key=f"{key}:doctor")


def _insert_appointment(
    *,
    patient: Patient,
    doctor: Doctor,
    start: datetime,
    reason: str,
    by: User,
    now: datetime | None,
    rescheduled_from: Appointment | None = None,
) -> Appointment:
    """The checks and the insert of a booking; the caller holds the transaction."""
    if not doctor.is_bookable:
        raise SlotUnavailable(f"{doctor.display_name} cannot be booked at the moment.")
    if not patient.is_active:
        raise NotAllowed("This patient's account is inactive.")
    if not slots.is_free(doctor, start, now=now):
        raise SlotUnavailable(
            "This time is not offered: it may be past, too soon, outside the doctor's hours, "
            "on leave or a holiday, or already booked. Please pick a slot from the list."
        )
    end = start + timedelta(minutes=doctor.slot_minutes)
    # The patient's side (and the doctor's, on SQLite) is checked here too; on PostgreSQL the
    # exclusion constraints have the last word, under concurrency.
    if Appointment.objects.occupying().filter(patient=patient).overlapping(start, end).exists():
        raise PatientBusy(PATIENT_BUSY)
    if Appointment.objects.occupying().filter(doctor=doctor).overlapping(start, end).exists():
        raise SlotTaken(SLOT_TAKEN)
    appointment = Appointment(
        doctor=doctor,
        patient=patient,
        start=start,
        end=end,
        reason=reason.strip(),
        booked_by=by,
        rescheduled_from=rescheduled_from,
    )
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as exc:
        raise _integrity_to_domain(exc) from exc
    return appointment


def appointment_book(
    *,
    patient: Patient,
    doctor: Doctor,
    start: datetime,
    reason: str = "",
    by: User,
    now: datetime | None = None,
) -> Appointment:
    """Book `start` with `doctor` for `patient`. Raises SchedulingError subclasses."""

    @transaction.atomic
    def book() -> Appointment:
        appointment = _insert_appointment(
            patient=patient, doctor=doctor, start=start, reason=reason, by=by, now=now
        )
        _event(appointment, actor=by, action="booked", from_status="")
        _bust_after_commit(doctor.pk)
        _notify("booked", appointment, by=by)
        return appointment

    try:
        return _with_retries(book)
    except IntegrityError as exc:  # raised at commit time by a deferred check
        raise _integrity_to_domain(exc) from exc


def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime,
    by: User,
    doctor: Doctor | None = None,
    now: datetime | None = None,
    reason: str = "",
) -> Appointment:
    """Move an appointment to `start` (with `doctor`, for staff moving a blocked doctor's
    patients): the old slot is released in the same transaction that takes the new one, so either
    both happen or neither (no one can take the old slot and leave the patient with nothing)."""

    @transaction.atomic
    def move() -> Appointment:
        old = (
            Appointment.objects.select_for_update(of=("self",))
            .with_related()
            .get(pk=appointment.pk)
        )
        if not old.can_transition("reschedule", by=by, now=now):
            raise NotAllowed("This appointment can no longer be rescheduled.")
        new_doctor = doctor or old.doctor
        if new_doctor.pk != old.doctor_id and not by.has_perm("scheduling.manage_all_appointments"):
            raise NotAllowed("Only the hospital office can move an appointment to another doctor.")
        from_status = old.status
        old.status = Appointment.Status.CANCELLED
        old.cancelled_by, old.cancelled_at = by, timezone.now()
        old.cancel_reason = "Rescheduled"
        old.save(
            update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason", "updated"]
        )
        new = _insert_appointment(
            patient=old.patient,
            doctor=new_doctor,
            start=start,
            reason=old.reason,
            by=by,
            now=now,
            rescheduled_from=old,
        )
        _event(
            old,
            actor=by,
            action="rescheduled",
            from_status=from_status,
            reason=(
                f"Moved to {timezone.localtime(start):%d %b %Y %H:%M}"
                + (f" with {new_doctor.display_name}" if new_doctor.pk != old.doctor_id else "")
                + (f" — {reason.strip()}" if reason.strip() else "")
            )[:300],
        )
        _event(new, actor=by, action="booked", from_status="", reason="Rescheduled")
        _bust_after_commit(old.doctor_id)
        _bust_after_commit(new_doctor.pk)
        _notify("rescheduled", new, by=by)
        return new

    try:
        return _with_retries(move)
    except IntegrityError as exc:
        raise _integrity_to_domain(exc) from exc


@transaction.atomic
def appointment_transition(
    *,
    appointment: Appointment,
    action: str,
    by: User,
    reason: str = "",
    now: datetime | None = None,
    notify: bool = True,
) -> Appointment:
    """check_in, complete, no_show or cancel, with its permission check and history event."""
    locked = (
        Appointment.objects.select_for_update(of=("self",)).with_related().get(pk=appointment.pk)
    )
    if not locked.can_transition(action, by=by, now=now):
        raise NotAllowed(_refusal(locked, action))
    from_status = locked.status
    locked.status = Appointment.TRANSITIONS[action][1]
    fields = ["status", "updated"]
    if action == "cancel":
        locked.cancelled_by, locked.cancelled_at = by, timezone.now()
        locked.cancel_reason = reason.strip()
        fields += ["cancelled_by", "cancelled_at", "cancel_reason"]
        _bust_after_commit(locked.doctor_id)
        if notify:
            _notify("cancelled", locked, by=by)
    locked.save(update_fields=fields)
    _event(locked, actor=by, action=action, from_status=from_status, reason=reason.strip())
    return locked


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
    _bust_after_commit(doctor.pk)
    return saved


@transaction.atomic
def override_toggle(*, doctor: Doctor, start: datetime, available: bool) -> SlotOverride | None:
    """Switch one slot on or off. Returns the override row (None when back to the default)."""
    SlotOverride.objects.filter(doctor=doctor, start=start).delete()
    _bust_after_commit(doctor.pk)
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
    _bust_after_commit(doctor_id)


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
    _bust_after_commit(doctor.pk)
    return leave, affected


@transaction.atomic
def leave_delete(*, leave: Leave) -> None:
    doctor_id = leave.doctor_id
    leave.delete()
    _bust_after_commit(doctor_id)


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


def appointments_cancel_many(*, appointments: list[Appointment], by: User, reason: str) -> int:
    """Cancel each (with notification); returns how many were cancelled."""
    done = 0
    for appointment in appointments:
        try:
            appointment_transition(appointment=appointment, action="cancel", by=by, reason=reason)
        except NotAllowed:
            continue
        done += 1
    return done
