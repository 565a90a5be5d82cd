"""The booking invariants under any sequence of operations (hypothesis stateful testing).

A RuleBasedStateMachine drives the scheduling and records services the way people combine them:
book, reschedule, cancel, check in, complete (also before the start time), mark no-show, add and
remove leave (keeping or cancelling what it covers), add and remove holidays, switch single slots
on and off, change working hours, and let the clock run. After every step:

- no two occupying appointments (every status but cancelled) of one doctor, or of one patient,
  overlap;
- no slot the engine offers (through its cache, as patients see it) overlaps an occupying
  appointment, a leave or a holiday, and the cached answer equals a fresh computation;
- a rule books an offered slot for a patient who has no appointments: it must succeed at once;
- two patients wait on the waitlist (one for a doctor, one for the department): freed time is
  offered to them and held; a held slot is never offered to anyone else, and the holders accept
  or decline.

Each example runs inside one transaction that is rolled back at the end; the services' on-commit
work (cache invalidation, e-mails) runs as it would after a real commit. It runs on whichever
database the suite runs on (PostgreSQL in CI's first run, SQLite in the second).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.tests.factories import admin_user
from clinic.tests.factories import DoctorFactory, PatientFactory
from records import services as records_services
from scheduling import services, slots
from scheduling.models import Appointment, Holiday, Leave, WaitlistOffer

pytestmark = pytest.mark.django_db

DAYS = 3  # the machine books on the first three days of the horizon
SLOT_MINUTES = 30
HOURS_PRESETS = [
    [(time(9), time(12))],
    [(time(10), time(12))],
    [(time(9), time(10, 30)), (time(11), time(12))],
    [(time(9, 15), time(11, 15))],  # starts between the usual slots
    [],
]
RECORD = {"visit_type": "consultation", "complaint": "Cough", "diagnosis": "Common cold"}


class _Rollback(Exception):
    """Raised to undo a probe (a booking made only to show that it can be made)."""


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=timezone.get_current_timezone()).astimezone(UTC)


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


class BookingMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        cache.clear()  # slot caches are keyed by ids, which SQLite reuses after a rollback
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.first_day = timezone.localdate() + timedelta(days=1)
        self.now = _local(self.first_day, time(7))
        self.staff = admin_user()
        self.doctors = [DoctorFactory(slot_minutes=SLOT_MINUTES) for _ in range(2)]
        for doctor in self.doctors:
            self._set_hours(doctor, HOURS_PRESETS[0])
        self.patients = [PatientFactory() for _ in range(3)]
        self.newcomer = PatientFactory()  # never booked by a rule: "a fresh patient"
        self.waiters = [PatientFactory() for _ in range(2)]  # on the waitlist only
        for waiter, wanted in zip(
            self.waiters,
            [{"doctor": self.doctors[0]}, {"department": self.doctors[1].department}],
            strict=True,
        ):
            services.waitlist_join(
                patient=waiter, by=waiter.user, first_day=self.first_day,
                last_day=self._day(DAYS - 1), **wanted,
            )  # fmt: skip

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ------------------------------------------------------------------------------

    def _run(self, operation):
        """Call a service as a request would: its on-commit work runs when it succeeds."""
        with TestCase.captureOnCommitCallbacks(execute=True):
            try:
                with transaction.atomic():
                    return operation()
            except (services.SchedulingError, records_services.RecordError):
                return None

    def _set_hours(self, doctor, intervals):
        services.working_hours_save(
            doctor=doctor,
            by=self.staff if hasattr(self, "staff") else None,
            rows=[(None, d, s, e) for d in range(7) for s, e in intervals],
            deleted=list(doctor.working_hours.values_list("pk", flat=True)),
        )

    def _day(self, offset: int) -> date:
        return self.first_day + timedelta(days=offset)

    def _offered(self, doctor, **kwargs) -> dict[date, list[slots.Slot]]:
        return slots.free_slots(doctor, self.first_day, self._day(DAYS - 1), now=self.now, **kwargs)

    def _pick(self, queryset, index: int):
        rows = list(queryset.order_by("pk"))
        return rows[index % len(rows)] if rows else None

    def _occupying(self):
        # Spelled out, not .occupying(): the invariant must not share a bug with the code.
        return Appointment.objects.exclude(status=Appointment.Status.CANCELLED)

    def _open(self):
        return Appointment.objects.open()

    # --- rules --------------------------------------------------------------------------------

    @rule(
        who=st.integers(0, 2),
        doctor=st.integers(0, 1),
        day=st.integers(0, DAYS - 1),
        index=st.integers(0, 7),
    )
    def book_offered(self, who, doctor, day, index):
        doctor = self.doctors[doctor]
        offered = self._offered(doctor).get(self._day(day), [])
        if offered:
            start = offered[index % len(offered)].start
            patient = self.patients[who]
            self._run(
                lambda: services.appointment_book(
                    patient=patient, doctor=doctor, start=start, by=patient.user, now=self.now
                )
            )

    @rule(
        who=st.integers(0, 2),
        doctor=st.integers(0, 1),
        day=st.integers(0, DAYS - 1),
        minutes=st.integers(8 * 60, 13 * 60).map(lambda m: m - m % 15),
    )
    def book_any_time(self, who, doctor, day, minutes):
        """A booking of a time the picker may not offer (a stale page, a forged form)."""
        start = _local(self._day(day), time(minutes // 60, minutes % 60))
        patient = self.patients[who]
        self._run(
            lambda: services.appointment_book(
                patient=patient,
                doctor=self.doctors[doctor],
                start=start,
                by=self.staff,
                now=self.now,
            )
        )

    @rule(index=st.integers(0, 30), day=st.integers(0, DAYS - 1), slot=st.integers(0, 7))
    def reschedule(self, index, day, slot):
        appointment = self._pick(self._open(), index)
        if appointment is None:
            return
        offered = self._offered(appointment.doctor).get(self._day(day), [])
        if offered:
            start = offered[slot % len(offered)].start
            self._run(
                lambda: services.appointment_reschedule(
                    appointment=appointment, start=start, by=self.staff, now=self.now
                )
            )

    @rule(
        index=st.integers(0, 30),
        action=st.sampled_from(["cancel", "check_in", "no_show"]),
        by_doctor=st.booleans(),
    )
    def transition(self, index, action, by_doctor):
        appointment = self._pick(self._open(), index)
        if appointment is None:
            return
        by = appointment.doctor.user if by_doctor else self.staff
        self._run(
            lambda: services.appointment_transition(
                appointment=appointment, action=action, by=by, now=self.now
            )
        )

    @rule(index=st.integers(0, 30))
    def complete(self, index):
        """The doctor writes today's visit record, possibly before the appointment's start."""
        day_start, day_end = slots.day_bounds(timezone.localdate(self.now))
        appointment = self._pick(
            self._open().filter(start__gte=day_start, start__lt=day_end), index
        )
        if appointment is None:
            return
        self._run(
            lambda: records_services.visit_complete(
                appointment=appointment,
                by=appointment.doctor.user,
                data=dict(RECORD),
                items=[],
                now=self.now,
            )
        )

    @rule(
        doctor=st.integers(0, 1),
        day=st.integers(0, DAYS - 1),
        hour=st.integers(8, 12),
        hours=st.integers(1, 30),
        cancel=st.booleans(),
    )
    def add_leave(self, doctor, day, hour, hours, cancel):
        doctor = self.doctors[doctor]
        start = _local(self._day(day), time(hour))
        end = start + timedelta(hours=hours)

        self._run(
            lambda: services.leave_add(
                doctor=doctor,
                start=start,
                end=end,
                reason="Conference",
                by=self.staff,
                cancel_affected=cancel,
            )
        )

    @rule(index=st.integers(0, 10))
    def remove_leave(self, index):
        leave = self._pick(Leave.objects.all(), index)
        if leave is not None:
            self._run(lambda: services.leave_delete(leave=leave))

    @rule(day=st.integers(0, DAYS - 1), cancel=st.booleans())
    def add_holiday(self, day, cancel):
        day = self._day(day)
        if Holiday.objects.filter(date=day).exists():
            return
        self._run(
            lambda: services.holiday_add(
                day=day, name="Founders' Day", by=self.staff, cancel_affected=cancel
            )
        )

    @rule(index=st.integers(0, 5))
    def remove_holiday(self, index):
        holiday = self._pick(Holiday.objects.all(), index)
        if holiday is not None:
            self._run(lambda: services.holiday_delete(holiday=holiday))

    @rule(
        doctor=st.integers(0, 1),
        day=st.integers(0, DAYS - 1),
        minutes=st.integers(8 * 60, 13 * 60).map(lambda m: m - m % 30),
        available=st.booleans(),
    )
    def toggle_slot(self, doctor, day, minutes, available):
        start = _local(self._day(day), time(minutes // 60, minutes % 60))
        self._run(
            lambda: services.override_toggle(
                doctor=self.doctors[doctor], start=start, available=available
            )
        )

    @rule(doctor=st.integers(0, 1), preset=st.integers(0, len(HOURS_PRESETS) - 1))
    def change_hours(self, doctor, preset):
        self._run(lambda: self._set_hours(self.doctors[doctor], HOURS_PRESETS[preset]))

    @precondition(lambda self: self.now < _local(self._day(DAYS - 1), time(13)))
    @rule(minutes=st.sampled_from([15, 30, 45, 90]))
    def clock_runs(self, minutes):
        self.now += timedelta(minutes=minutes)

    @precondition(lambda self: timezone.localdate(self.now) < self._day(DAYS - 1))
    @rule()
    def next_morning(self):
        self.now = _local(timezone.localdate(self.now) + timedelta(days=1), time(7))

    @rule(doctor=st.integers(0, 1), day=st.integers(0, DAYS - 1), index=st.integers(0, 7))
    def newcomer_books_an_offered_slot(self, doctor, day, index):
        """Whatever the engine offers, a patient with no appointments can book at once."""
        doctor = self.doctors[doctor]
        offered = self._offered(doctor).get(self._day(day), [])
        if not offered:
            return
        start = offered[index % len(offered)].start
        try:
            with transaction.atomic():
                services.appointment_book(
                    patient=self.newcomer,
                    doctor=doctor,
                    start=start,
                    by=self.newcomer.user,
                    now=self.now,
                )
                raise _Rollback
        except _Rollback:
            pass

    @rule(index=st.integers(0, 5), accept=st.booleans())
    def waiter_answers_an_offer(self, index, accept):
        offer = self._pick(WaitlistOffer.objects.filter(status="offered"), index)
        if offer is None:
            return
        if accept:
            # Holds expire on the real clock (the machine's runs ahead of it): accepted "now".
            by = offer.entry.patient.user
            self._run(lambda: services.waitlist_offer_accept(offer=offer, by=by))
        else:
            self._run(lambda: services.waitlist_offer_decline(offer=offer))

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def held_slots_are_offered_to_their_holder_only(self):
        for offer in WaitlistOffer.objects.live().select_related("entry__patient"):
            others = self._offered(offer.doctor).get(timezone.localdate(offer.start), [])
            assert offer.start not in [s.start for s in others], "a held slot offered to all"

    @invariant()
    def occupying_appointments_never_overlap(self):
        rows = list(self._occupying().values_list("pk", "doctor_id", "patient_id", "start", "end"))
        for i, (pk, doctor, patient, start, end) in enumerate(rows):
            for other_pk, other_doctor, other_patient, other_start, other_end in rows[i + 1 :]:
                if _overlap(start, end, other_start, other_end):
                    assert doctor != other_doctor, f"doctor double-booked: {pk} and {other_pk}"
                    assert patient != other_patient, f"patient double-booked: {pk}, {other_pk}"

    @invariant()
    def offered_slots_are_really_free(self):
        holidays = set(Holiday.objects.values_list("date", flat=True))
        for doctor in self.doctors:
            offered = self._offered(doctor)
            assert offered == self._offered(doctor, use_cache=False), "stale slot cache"
            taken = list(
                self._occupying().filter(doctor=doctor).values_list("start", "end")
            ) + list(Leave.objects.filter(doctor=doctor).values_list("start", "end"))
            for day, day_slots in offered.items():
                assert not day_slots or day not in holidays, f"slots offered on holiday {day}"
                for slot in day_slots:
                    clash = [t for t in taken if _overlap(slot.start, slot.end, *t)]
                    assert not clash, f"{slot.local_start:%d %b %H:%M} offered but taken"


# Examples come from the profile (root conftest: 40 derandomized in CI, more with
# HYPOTHESIS_PROFILE=explore); each example is up to 25 steps.
MACHINE_SETTINGS = settings(
    stateful_step_count=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_booking_invariants_hold_under_any_sequence_of_operations():
    run_state_machine_as_test(BookingMachine, settings=MACHINE_SETTINGS)
