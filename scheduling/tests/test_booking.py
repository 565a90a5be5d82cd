from datetime import timedelta

import pytest
from django.core import mail

from accounts.tests.factories import UserFactory
from clinic.models import Doctor
from clinic.tests.factories import PatientFactory
from scheduling import services
from scheduling.models import Appointment, AppointmentEvent
from scheduling.tests.conftest import next_weekday_slot

pytestmark = pytest.mark.django_db


def test_patient_books_a_free_slot(open_doctor, patient, slot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.appointment_book(
            patient=patient.patient_profile,
            doctor=open_doctor,
            start=slot,
            reason=" Cough ",
            by=patient,
        )

    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.end - appointment.start == timedelta(minutes=30)
    assert appointment.reason == "Cough"
    assert list(appointment.events.values_list("action", "to_status")) == [("booked", "booked")]
    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0]
    assert confirmation.to == [patient.email]
    assert confirmation.attachments[0][0] == "appointment.ics"
    assert "METHOD:REQUEST" in confirmation.attachments[0][1]


def test_the_same_slot_cannot_be_booked_twice(open_doctor, patient, other_patient, slot):
    services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=slot, by=patient
    )
    with pytest.raises(services.SchedulingError):
        services.appointment_book(
            patient=other_patient.patient_profile, doctor=open_doctor, start=slot, by=other_patient
        )
    assert Appointment.objects.count() == 1


def test_a_patient_cannot_be_with_two_doctors_at_once(open_doctor, other_doctor, patient, slot):
    other = other_doctor.doctor_profile
    other.working_hours.create(weekday=slot.weekday(), start="00:00", end="23:30")
    for weekday in range(7):
        other.working_hours.get_or_create(weekday=weekday, start="00:00", end="23:30")
    services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=slot, by=patient
    )
    with pytest.raises(services.PatientBusy, match="already has an appointment"):
        services.appointment_book(
            patient=patient.patient_profile, doctor=other, start=slot, by=patient
        )


@pytest.mark.parametrize(
    "start_offset", [timedelta(days=-3), timedelta(minutes=7), timedelta(days=40)]
)
def test_times_that_are_not_offered_are_refused(open_doctor, patient, slot, start_offset):
    with pytest.raises(services.SlotUnavailable):
        services.appointment_book(
            patient=patient.patient_profile,
            doctor=open_doctor,
            start=slot + start_offset,
            by=patient,
        )
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("status", [Doctor.Status.BLOCKED, Doctor.Status.PENDING])
def test_blocked_or_pending_doctors_cannot_be_booked(open_doctor, patient, slot, status):
    open_doctor.status = status
    open_doctor.save()
    with pytest.raises(services.SlotUnavailable, match="cannot be booked"):
        services.appointment_book(
            patient=patient.patient_profile, doctor=open_doctor, start=slot, by=patient
        )


def test_reschedule_moves_atomically_and_frees_the_old_slot(open_doctor, patient, other_patient):
    first, second = next_weekday_slot(10), next_weekday_slot(11)
    old = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=first, by=patient
    )

    new = services.appointment_reschedule(appointment=old, start=second, by=patient)

    old.refresh_from_db()
    assert old.status == Appointment.Status.CANCELLED and old.cancel_reason == "Rescheduled"
    assert new.rescheduled_from == old and new.start == second
    # the old slot is free again for someone else
    services.appointment_book(
        patient=other_patient.patient_profile, doctor=open_doctor, start=first, by=other_patient
    )


def test_a_failed_reschedule_keeps_the_original(open_doctor, patient, other_patient):
    first, taken = next_weekday_slot(10), next_weekday_slot(11)
    old = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=first, by=patient
    )
    services.appointment_book(
        patient=other_patient.patient_profile, doctor=open_doctor, start=taken, by=other_patient
    )

    with pytest.raises(services.SchedulingError):
        services.appointment_reschedule(appointment=old, start=taken, by=patient)

    old.refresh_from_db()
    assert old.status == Appointment.Status.BOOKED


def test_a_reschedule_may_overlap_the_appointment_it_replaces(open_doctor, patient):
    open_doctor.slot_minutes = 30
    old = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=next_weekday_slot(10), by=patient
    )
    new = services.appointment_reschedule(
        appointment=old, start=next_weekday_slot(10) + timedelta(minutes=30), by=patient
    )
    assert new.status == Appointment.Status.BOOKED


def test_cancel_releases_the_slot_at_once(open_doctor, patient, other_patient, slot):
    appointment = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=slot, by=patient
    )

    services.appointment_transition(
        appointment=appointment, action="cancel", by=patient, reason="Feeling better"
    )

    appointment.refresh_from_db()
    assert appointment.cancelled_by == patient and appointment.cancel_reason == "Feeling better"
    services.appointment_book(
        patient=other_patient.patient_profile, doctor=open_doctor, start=slot, by=other_patient
    )


def test_every_transition_is_kept_in_the_history(open_doctor, patient, doctor, slot):
    appointment = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=slot, by=patient
    )
    now = slot + timedelta(minutes=5)
    services.appointment_transition(appointment=appointment, action="check_in", by=doctor, now=now)
    services.appointment_transition(appointment=appointment, action="complete", by=doctor, now=now)
    history = list(
        AppointmentEvent.objects.filter(appointment=appointment).values_list(
            "action", "from_status", "to_status", "actor"
        )
    )
    assert history == [
        ("booked", "", "booked", patient.pk),
        ("check_in", "booked", "checked_in", doctor.pk),
        ("complete", "checked_in", "completed", doctor.pk),
    ]


class TestWhoMayDoWhat:
    @pytest.fixture
    def appointment(self, open_doctor, patient, slot):
        return services.appointment_book(
            patient=patient.patient_profile, doctor=open_doctor, start=slot, by=patient
        )

    def test_patient_may_cancel_own_until_the_cutoff(self, appointment, patient, settings):
        settings.HMS_PATIENT_CANCEL_CUTOFF_MINUTES = 120
        assert appointment.can_transition(
            "cancel", by=patient, now=appointment.start - timedelta(hours=3)
        )
        assert not appointment.can_transition(
            "cancel", by=patient, now=appointment.start - timedelta(hours=1)
        )

    def test_patient_may_not_check_in_or_complete(self, appointment, patient):
        now = appointment.start
        for action in ("check_in", "complete", "no_show"):
            assert not appointment.can_transition(action, by=patient, now=now)

    def test_another_patient_may_do_nothing(self, appointment, other_patient):
        assert not appointment.can_transition(
            "cancel", by=other_patient, now=appointment.start - timedelta(days=1)
        )

    def test_doctor_checks_in_on_the_day_and_marks_no_show_after_start(self, appointment, doctor):
        assert not appointment.can_transition(
            "check_in", by=doctor, now=appointment.start - timedelta(days=1)
        )
        assert appointment.can_transition(
            "check_in", by=doctor, now=appointment.start - timedelta(minutes=10)
        )
        assert not appointment.can_transition(
            "no_show", by=doctor, now=appointment.start - timedelta(minutes=10)
        )
        assert appointment.can_transition(
            "no_show", by=doctor, now=appointment.start + timedelta(minutes=10)
        )

    def test_another_doctor_may_do_nothing(self, appointment, other_doctor):
        assert not appointment.can_transition("check_in", by=other_doctor, now=appointment.start)
        assert not appointment.can_transition(
            "cancel", by=other_doctor, now=appointment.start - timedelta(days=1)
        )

    def test_hospital_admin_may_do_all(self, appointment, hospital_admin):
        now = appointment.start + timedelta(minutes=1)
        for action in ("check_in", "no_show", "cancel"):
            assert appointment.can_transition(action, by=hospital_admin, now=now)

    def test_a_refused_transition_is_a_clean_error(self, appointment, other_patient):
        with pytest.raises(services.NotAllowed):
            services.appointment_transition(
                appointment=appointment, action="cancel", by=other_patient
            )


def test_inactive_patient_cannot_be_booked(open_doctor, slot):
    patient = PatientFactory(is_active=False)
    with pytest.raises(services.NotAllowed):
        services.appointment_book(patient=patient, doctor=open_doctor, start=slot, by=UserFactory())
