"""Writes on appointments: booking, rescheduling, status changes, cancelling many.

Double booking is impossible: the database refuses it (unique and, on PostgreSQL, exclusion
constraints on occupying appointments) and the services turn that refusal into a clean domain
error. Every service that changes what the slot engine reads invalidates its cache after commit.
"""

from __future__ import annotations

import logging
import time as time_module
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from accounts.models import User
from clinic.models import Doctor, Patient
from hms.lib import cached, outbox
from scheduling import slots
from scheduling.models import (
    Appointment,
    AppointmentEvent,
    WaitlistEntry,
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
MOVED_AWAY_FIELDS = (
    "status",
    "cancelled_by",
    "cancelled_at",
    "cancel_reason",
    "sequence",
    "updated",
)
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


def slots_changed(doctor_id: int) -> None:
    """The doctor's free slots are computed again after the current transaction commits."""
    cached.invalidate(slots.doctor_family(doctor_id))


def time_freed(doctor_id: int, start: datetime, end: datetime) -> None:
    """Offer the doctor's time from `start` to `end`, freed by this transaction, to the waitlist
    (by a worker after commit: scheduling/services/waitlist.py), if anyone is waiting."""
    if not WaitlistEntry.objects.waiting().exists():
        return
    outbox.enqueue("scheduling.waitlist_offer", doctor_id, start.isoformat(), end.isoformat())


def _notify(kind: str, appointment: Appointment, *, by: User) -> None:
    """Record the e-mails a booking, move or cancellation causes, in its transaction (sent by a
    worker after commit, each once: scheduling/tasks.py)."""
    key = f"appointment:{appointment.pk}:{kind}"
    # A patient registered without an e-mail address (a walk-in) gets no confirmation e-mail.
    if appointment.patient.user.email:
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
    if not slots.is_free(doctor, start, now=now, patient=patient):
        raise SlotUnavailable(
            "This time is not offered: it may be past, too soon, outside the doctor's hours, "
            "on leave or a holiday, or already booked. Please pick a slot from the list."
        )
    end = start + timedelta(minutes=doctor.slot_minutes)
    # The doctor's side was read by is_free (their appointments overlapping the day, in this
    # transaction); the patient's is checked here. On PostgreSQL the exclusion constraints have
    # the last word under concurrency: their IntegrityError leaves the caller's atomic block,
    # which rolls back, and the caller turns it into SlotTaken or PatientBusy (no savepoint of
    # its own: two statements fewer per booking).
    if Appointment.objects.occupying().filter(patient=patient).overlapping(start, end).exists():
        raise PatientBusy(PATIENT_BUSY)
    appointment = Appointment(
        doctor=doctor,
        patient=patient,
        start=start,
        end=end,
        reason=reason.strip(),
        booked_by=by,
        rescheduled_from=rescheduled_from,
    )
    if rescheduled_from is not None:  # the same calendar event, one version on
        appointment.origin_id = rescheduled_from.calendar_key
        appointment.sequence = rescheduled_from.sequence
    appointment.save()
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
        slots_changed(doctor.pk)
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
        old.sequence += 1
        old.save(update_fields=MOVED_AWAY_FIELDS)
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
        slots_changed(old.doctor_id)
        slots_changed(new_doctor.pk)
        time_freed(old.doctor_id, old.start, old.end)
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
    by: User | None,
    reason: str = "",
    now: datetime | None = None,
    notify: bool = True,
) -> Appointment:
    """check_in, complete, no_show or cancel, with its permission check and history event.
    `by` None is the system (recorded without an actor)."""
    locked = (
        Appointment.objects.select_for_update(of=("self",)).with_related().get(pk=appointment.pk)
    )
    if not locked.can_transition(action, by=by, now=now):
        raise NotAllowed(_refusal(locked, action))
    from_status = locked.status
    locked.status = Appointment.TRANSITIONS[action][1]
    locked.sequence += 1  # calendar feeds: the event changed
    fields = ["status", "sequence", "updated"]
    if action == "cancel":
        locked.cancelled_by, locked.cancelled_at = by, timezone.now()
        locked.cancel_reason = reason.strip()
        fields += ["cancelled_by", "cancelled_at", "cancel_reason"]
        slots_changed(locked.doctor_id)
        time_freed(locked.doctor_id, locked.start, locked.end)
        if notify:
            _notify("cancelled", locked, by=by)
    locked.save(update_fields=fields)
    _event(locked, actor=by, action=action, from_status=from_status, reason=reason.strip())
    return locked


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


def appointments_mark_no_shows(*, now: datetime | None = None) -> int:
    """Appointments still booked NO_SHOW_AFTER_MINUTES after their start become no-shows, done
    by the system; returns how many. Off when the setting is 0.

    Exactly once: each goes through appointment_transition under its row lock, which refuses an
    appointment already changed (checked in meanwhile, or by another run of this job). It looks
    back one day: a beat outage shorter than that loses nothing, and switching the setting on
    does not rewrite older history."""
    minutes = settings.HMS_NO_SHOW_AFTER_MINUTES
    if minutes <= 0:
        return 0
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=minutes)
    due = Appointment.objects.filter(
        status=Appointment.Status.BOOKED, start__lte=cutoff, start__gt=cutoff - timedelta(days=1)
    )
    done = 0
    for appointment in due.only("pk").order_by("start"):
        try:
            appointment_transition(
                appointment=appointment, action="no_show", by=None, now=now,
                reason=f"Not checked in {minutes} minutes after the start",
            )  # fmt: skip
        except NotAllowed:
            continue
        done += 1
    return done
