"""Who is offered a freed time: department-wide entries, time-of-day preferences, dates, every
way time frees up, and a repeated offer run (a worker that died before marking it done)."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from clinic.tests.factories import DepartmentFactory, PatientFactory
from hms.lib.outbox.models import Message
from scheduling import services
from scheduling.models import Leave, WaitlistOffer
from scheduling.tests.conftest import next_weekday_slot
from scheduling.tests.test_waitlist import (
    booked_and_cancelled,
    offer_mails,
    waiting,
)

pytestmark = pytest.mark.django_db


# --- Who is offered what ------------------------------------------------------------------


def test_a_department_wide_entry_is_offered_any_doctor_of_that_department_only(
    client, run_outbox, patient, other_patient, open_doctor
):
    services.waitlist_join(
        patient=other_patient.patient_profile, by=other_patient,
        department=DepartmentFactory(name="Elsewhere"), **_days(),
    )  # fmt: skip
    services.waitlist_join(
        patient=patient.patient_profile, by=patient, department=open_doctor.department, **_days()
    )

    booked_and_cancelled(client, run_outbox, open_doctor, next_weekday_slot(10))

    offer = WaitlistOffer.objects.get()
    assert (offer.entry.patient.user, offer.doctor) == (patient, open_doctor)


def _days():
    return {
        "first_day": timezone.localdate(),
        "last_day": timezone.localdate() + timedelta(days=7),
    }


def test_time_of_day_preference_skips_entries_that_want_another_part_of_the_day(
    client, run_outbox, patient, other_patient, open_doctor
):
    waiting(patient, open_doctor, time_of_day="afternoon")  # first in line, but not mornings
    waiting(other_patient, open_doctor, time_of_day="morning")

    booked_and_cancelled(client, run_outbox, open_doctor, next_weekday_slot(10))
    booked_and_cancelled(client, run_outbox, open_doctor, next_weekday_slot(14))

    offers = {o.entry.patient.user: o.start for o in WaitlistOffer.objects.all()}
    assert offers == {other_patient: next_weekday_slot(10), patient: next_weekday_slot(14)}


def test_an_entry_outside_its_dates_is_not_offered(client, run_outbox, patient, open_doctor):
    services.waitlist_join(
        patient=patient.patient_profile, by=patient, doctor=open_doctor,
        first_day=timezone.localdate() + timedelta(days=5),
        last_day=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip

    booked_and_cancelled(client, run_outbox, open_doctor, next_weekday_slot(10, days_ahead=2))

    assert not WaitlistOffer.objects.exists()


def test_two_freed_slots_make_two_offers_and_a_repeated_run_none(
    client, run_outbox, patient, other_patient, open_doctor
):
    waiting(patient, open_doctor)
    waiting(other_patient, open_doctor)

    booked_and_cancelled(client, run_outbox, open_doctor, next_weekday_slot(10))
    booked_and_cancelled(client, run_outbox, open_doctor, next_weekday_slot(11))
    first, second = next_weekday_slot(10), next_weekday_slot(11)
    with run_outbox():  # a worker that ran the offer, died before "done" and runs it again
        again = services.offer_freed_time(
            doctor_id=open_doctor.pk, start=first, end=second + timedelta(minutes=30)
        )

    assert again == []
    offers = {o.entry.patient.user: o.start for o in WaitlistOffer.objects.all()}
    assert offers == {patient: first, other_patient: second}
    assert len(offer_mails()) == 1  # the second offer's; the first was sent before the clear


def test_hours_added_offer_the_new_time(run_outbox, patient, doctor):
    profile = doctor.doctor_profile  # no working hours yet
    waiting(patient, profile)
    weekday = next_weekday_slot(9).astimezone(timezone.get_current_timezone()).weekday()

    with run_outbox():
        services.working_hours_save(
            doctor=profile, by=doctor, rows=[(None, weekday, time(9), time(12))], deleted=[]
        )

    offer = WaitlistOffer.objects.get()
    assert (offer.entry.patient.user, offer.start) == (patient, next_weekday_slot(9))


def test_removed_leave_offers_the_time_it_covered(run_outbox, patient, open_doctor):
    leave = Leave.objects.create(
        doctor=open_doctor, start=next_weekday_slot(10), end=next_weekday_slot(11)
    )
    waiting(patient, open_doctor)

    with run_outbox():
        services.leave_delete(leave=leave)

    assert WaitlistOffer.objects.get().start == next_weekday_slot(10)


def test_a_moved_appointment_offers_its_old_time(client, run_outbox, patient, open_doctor):
    someone = PatientFactory().user
    old = services.appointment_book(
        patient=someone.patient_profile, doctor=open_doctor, start=next_weekday_slot(10), by=someone
    )
    waiting(patient, open_doctor)

    with run_outbox():
        services.appointment_reschedule(appointment=old, start=next_weekday_slot(15), by=someone)

    assert WaitlistOffer.objects.get().start == next_weekday_slot(10)


def test_a_removed_holiday_offers_that_day(run_outbox, patient, open_doctor):
    day = timezone.localdate(next_weekday_slot(10))
    holiday = services.holiday_add(day=day, name="Founders' Day", by=patient)[0]
    waiting(patient, open_doctor)

    with run_outbox():
        services.holiday_delete(holiday=holiday)

    assert WaitlistOffer.objects.get().start == next_weekday_slot(9)


def test_nothing_is_queued_when_nobody_waits(client, run_outbox, open_doctor):
    booked_and_cancelled(client, run_outbox, open_doctor, next_weekday_slot(10))

    assert not Message.objects.filter(handler="scheduling.waitlist_offer").exists()


def test_a_hold_ends_when_the_slot_is_no_longer_bookable(run_outbox, patient, open_doctor):
    soon = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=75)
    open_doctor.slot_overrides.create(start=soon, available=False)
    waiting(patient, open_doctor)

    with run_outbox():
        services.override_toggle(doctor=open_doctor, start=soon, available=True)

    offer = WaitlistOffer.objects.get(start=soon)
    assert offer.expires_at == soon - timedelta(minutes=60)  # not 30 minutes from now
