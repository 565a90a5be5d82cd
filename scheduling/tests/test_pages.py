from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from scheduling import services
from scheduling.models import Appointment, Holiday, Leave, SlotOverride
from scheduling.slots import Slot
from scheduling.tests.conftest import next_weekday_slot
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def key(start):
    return Slot(start, start).key


def book_url(doctor, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("scheduling:book", args=[doctor.pk]) + (f"?{query}" if query else "")


def test_patient_books_from_the_picker(
    client, patient, open_doctor, django_capture_on_commit_callbacks
):
    client.force_login(patient)
    start = next_weekday_slot(10)
    day = timezone.localdate(start).isoformat()

    page = client.get(book_url(open_doctor, date=day))
    assert page.status_code == 200
    assert "10:00" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            book_url(open_doctor),
            {"date": day, "slot": key(start), "reason": "Check-up"},
            follow=True,
        )

    appointment = Appointment.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "scheduling:appointment-detail", args=[appointment.pk]
    )
    assert "Booked:" in response.content.decode()
    # The slot is gone from the picker at once.
    choices = client.get(book_url(open_doctor, date=day)).context["form"].fields["slot"].choices
    assert key(start) not in dict(choices)
    assert key(start + timedelta(minutes=30)) in dict(choices)


def test_picker_answers_htmx_with_the_partial_only(client, patient, open_doctor):
    client.force_login(patient)
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.get(book_url(open_doctor, date=day), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<nav aria-label="Dates"') and '<nav class="navbar' not in html


def test_a_slot_taken_meanwhile_gives_a_friendly_message(
    client, patient, other_patient, open_doctor
):
    start = next_weekday_slot(10)
    day = timezone.localdate(start).isoformat()
    client.force_login(patient)
    client.get(book_url(open_doctor, date=day))  # picker cached with 10:00 free
    services.appointment_book(
        patient=other_patient.patient_profile, doctor=open_doctor, start=start, by=other_patient
    )

    response = client.post(book_url(open_doctor), {"date": day, "slot": key(start)})

    assert response.status_code == 200
    assert "no longer available" in response.content.decode() or "just taken" in (
        response.content.decode()
    )
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("tampered", ["garbage", "2020-01-01T10:00:00Z"])
def test_a_tampered_slot_is_refused_and_nothing_saved(client, patient, open_doctor, tampered):
    client.force_login(patient)
    response = client.post(book_url(open_doctor), {"slot": tampered})
    assert response.status_code == 200
    assert "no longer available" in response.content.decode()
    assert not Appointment.objects.exists()


def test_staff_books_for_a_patient(client, hospital_admin, patient, open_doctor):
    client.force_login(hospital_admin)
    start = next_weekday_slot(11)
    day = timezone.localdate(start).isoformat()
    profile = patient.patient_profile
    page = client.get(book_url(open_doctor, date=day, **{"for": profile.pk}))
    assert f"Booking for <strong>{profile}</strong>" in page.content.decode()

    client.post(book_url(open_doctor), {"date": day, "slot": key(start), "for": profile.pk})

    appointment = Appointment.objects.get()
    assert appointment.patient == profile and appointment.booked_by == hospital_admin


def test_patient_reschedules_and_cancels_from_the_pages(client, patient, open_doctor):
    client.force_login(patient)
    first, second = next_weekday_slot(10), next_weekday_slot(14)
    appointment = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=first, by=patient
    )
    day = timezone.localdate(second).isoformat()

    response = client.post(
        reverse("scheduling:reschedule", args=[appointment.pk]),
        {"date": day, "slot": key(second)},
        follow=True,
    )
    new = Appointment.objects.get(status="booked")
    assert new.start == second and "Moved to" in response.content.decode()

    client.post(reverse("scheduling:appointment-cancel", args=[new.pk]), {"reason": "Better"})
    new.refresh_from_db()
    assert new.status == "cancelled" and new.cancel_reason == "Better"
    assert (
        "No upcoming appointments"
        in client.get(reverse("scheduling:my-appointments")).content.decode()
    )


def test_patient_cancel_after_cutoff_is_refused_with_a_message(
    client, patient, open_doctor, settings
):
    settings.HMS_PATIENT_CANCEL_CUTOFF_MINUTES = 60 * 24 * 30
    appointment = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=next_weekday_slot(), by=patient
    )
    client.force_login(patient)
    response = client.post(
        reverse("scheduling:appointment-cancel", args=[appointment.pk]), follow=True
    )
    assert "can no longer be cancelled" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_doctor_runs_the_day(client, doctor, patient, open_doctor):
    start = next_weekday_slot(10, days_ahead=0)
    appointment = AppointmentFactory(
        doctor=open_doctor,
        patient=patient.patient_profile,
        start=start,
    )
    client.force_login(doctor)
    page = client.get(reverse("scheduling:doctor-day"))
    assert str(patient.patient_profile) in page.content.decode()

    client.post(reverse("scheduling:appointment-action", args=[appointment.pk, "check_in"]))
    appointment.refresh_from_db()
    assert appointment.status == "checked_in"
    # Completing happens only by writing the visit record (records app).
    page = client.get(reverse("scheduling:doctor-day"))
    assert reverse("records:complete-visit", args=[appointment.pk]) in page.content.decode()
    response = client.post(
        reverse("scheduling:appointment-action", args=[appointment.pk, "complete"])
    )
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == "checked_in"
    history = client.get(reverse("scheduling:appointment-detail", args=[appointment.pk]))
    assert "Checked in by" in history.content.decode()


def test_admin_list_filters_and_bulk_cancels_with_notification(
    client, hospital_admin, patient, other_patient, open_doctor, django_capture_on_commit_callbacks
):
    a1 = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=next_weekday_slot(10), by=patient
    )
    a2 = services.appointment_book(
        patient=other_patient.patient_profile,
        doctor=open_doctor,
        start=next_weekday_slot(11),
        by=other_patient,
    )
    client.force_login(hospital_admin)
    listing = client.get(
        reverse("scheduling:appointment-list"), {"patient": "other.patient", "when": "upcoming"}
    )
    assert list(listing.context["page"]) == [a2]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("scheduling:appointment-bulk-cancel"),
            {"ids": [a1.pk, a2.pk], "reason": "Doctor unavailable"},
        )

    assert set(Appointment.objects.values_list("status", flat=True)) == {"cancelled"}
    assert {m.to[0] for m in mail.outbox} == {patient.email, other_patient.email}


def test_working_hours_overlap_is_refused_next_to_the_field(client, doctor):
    client.force_login(doctor)
    data = {
        "hours-TOTAL_FORMS": "2",
        "hours-INITIAL_FORMS": "0",
        "hours-0-weekday": "0",
        "hours-0-start": "09:00",
        "hours-0-end": "13:00",
        "hours-1-weekday": "0",
        "hours-1-start": "12:00",
        "hours-1-end": "15:00",
    }
    response = client.post(reverse("scheduling:availability"), data)
    assert "Overlaps 09:00–13:00" in response.content.decode()
    assert not doctor.doctor_profile.working_hours.exists()
    data["hours-1-start"] = "14:00"
    client.post(reverse("scheduling:availability"), data)
    assert doctor.doctor_profile.working_hours.count() == 2


def test_leave_over_booked_appointments_asks_and_then_cancels(client, doctor, patient, open_doctor):
    appointment = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=next_weekday_slot(10), by=patient
    )
    client.force_login(doctor)
    local = timezone.localtime(appointment.start)
    data = {
        "start": local.strftime("%Y-%m-%dT08:00"),
        "end": local.strftime("%Y-%m-%dT18:00"),
        "reason": "Conference",
    }

    confirm = client.post(reverse("scheduling:leave-add"), data)
    assert "Booked appointments are affected" in confirm.content.decode()
    assert not Leave.objects.exists()

    client.post(reverse("scheduling:leave-add"), {**data, "affected": "cancel"})
    appointment.refresh_from_db()
    assert appointment.status == "cancelled" and Leave.objects.count() == 1


def test_holiday_can_keep_appointments_explicitly(client, hospital_admin, patient, open_doctor):
    appointment = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=next_weekday_slot(10), by=patient
    )
    client.force_login(hospital_admin)
    day = timezone.localdate(appointment.start).isoformat()

    confirm = client.post(reverse("scheduling:holidays"), {"date": day, "name": "Storm"})
    assert str(patient.patient_profile) in confirm.content.decode()
    response = client.post(
        reverse("scheduling:holidays"),
        {"date": day, "name": "Storm", "affected": "keep"},
        follow=True,
    )

    assert Holiday.objects.filter(name="Storm").exists()
    appointment.refresh_from_db()
    assert appointment.status == "booked"
    assert "kept as booked" in response.content.decode()


def test_slot_toggle_by_htmx_returns_the_cell(client, doctor, open_doctor):
    client.force_login(doctor)
    start = next_weekday_slot(10, days_ahead=3)
    response = client.post(
        reverse("scheduling:slot-toggle"),
        {"slot": key(start), "available": "0"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "click to switch on" in response.content.decode()
    assert SlotOverride.objects.get().available is False
    # switching it back on removes the override (back to the weekly default)
    client.post(reverse("scheduling:slot-toggle"), {"slot": key(start), "available": "1"})
    assert not SlotOverride.objects.exists()


def test_blocking_a_doctor_lists_their_future_appointments(
    client, hospital_admin, patient, open_doctor
):
    services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=next_weekday_slot(10), by=patient
    )
    client.force_login(hospital_admin)
    page = client.get(reverse("clinic:doctor-action", args=[open_doctor.pk, "block"]))
    assert "1 future appointment" in page.content.decode()


def test_staff_move_a_blocked_doctors_patient_to_a_colleague(
    client, hospital_admin, patient, open_doctor, other_doctor
):
    colleague = other_doctor.doctor_profile
    colleague.department = open_doctor.department
    colleague.save()
    for weekday in range(7):
        colleague.working_hours.create(weekday=weekday, start="09:00", end="17:00")
    appointment = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=next_weekday_slot(10), by=patient
    )
    open_doctor.status = "blocked"
    open_doctor.save()
    client.force_login(hospital_admin)
    url = reverse("scheduling:reschedule", args=[appointment.pk])
    page = client.get(url)
    assert colleague.display_name in page.content.decode()

    start = next_weekday_slot(10)
    day = timezone.localdate(start).isoformat()
    client.post(url, {"date": day, "slot": key(start), "doctor": colleague.pk})

    moved = Appointment.objects.get(status="booked")
    assert moved.doctor == colleague and moved.start == start
    assert moved.rescheduled_from == appointment


def test_a_patient_cannot_move_to_another_doctor(client, patient, open_doctor, other_doctor):
    appointment = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=next_weekday_slot(10), by=patient
    )
    with pytest.raises(services.NotAllowed):
        services.appointment_reschedule(
            appointment=appointment,
            start=next_weekday_slot(11),
            by=patient,
            doctor=other_doctor.doctor_profile,
        )


def test_a_whole_week_can_be_switched_off_and_on(client, doctor, open_doctor):
    from scheduling import slots as engine

    client.force_login(doctor)
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    client.post(reverse("scheduling:slot-toggle"), {"week": monday.isoformat(), "available": "0"})
    week = engine.free_slots(open_doctor, monday, monday + timedelta(days=6), use_cache=False)
    assert not any(week.values())
    client.post(reverse("scheduling:slot-toggle"), {"week": monday.isoformat(), "available": "1"})
    assert not SlotOverride.objects.exists()


def test_appointment_history_reads_as_sentences(client, hospital_admin, patient, open_doctor):
    start = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    appointment = AppointmentFactory(
        doctor=open_doctor, patient=patient.patient_profile, start=start
    )
    hospital_admin.first_name, hospital_admin.last_name = "Alice", "Morgan"
    hospital_admin.save()
    client.force_login(hospital_admin)

    done = client.post(
        reverse("scheduling:appointment-action", args=[appointment.pk, "check_in"]), follow=True
    )

    html = done.content.decode()
    assert f"{appointment.patient} is checked in." in html
    assert "Checked in by Alice Morgan" in html
    assert "booked → checked_in" not in html and "Check_in" not in html
