"""Appointments kept over a doctor's leave or a hospital holiday stay flagged until someone moves
or cancels them, on every page where they appear, for staff, the doctor and the patient."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling import services
from scheduling.models import Appointment
from scheduling.tests.conftest import next_weekday_slot

pytestmark = pytest.mark.django_db

LEAVE = "Doctor on leave"
CLOSED = "Hospital closed"


@pytest.fixture
def booked(patient, open_doctor):
    return services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=next_weekday_slot(10), by=patient
    )


def _keep_leave(client, doctor, booked):
    local = timezone.localtime(booked.start)
    client.force_login(doctor)
    client.post(
        reverse("scheduling:leave-add"),
        {
            "start": local.strftime("%Y-%m-%dT00:00"),
            "end": (local + timedelta(days=1)).strftime("%Y-%m-%dT00:00"),
            "reason": "Conference",
            "affected": "keep",
        },
    )


def _pages(booked):
    day = timezone.localdate(booked.start).isoformat()
    return {
        "doctor": [
            reverse("scheduling:doctor-day") + f"?date={day}",
            reverse("scheduling:doctor-week") + f"?start={day}",
            reverse("scheduling:appointment-detail", args=[booked.pk]),
        ],
        "patient": [
            reverse("scheduling:my-appointments"),
            reverse("scheduling:appointment-detail", args=[booked.pk]),
            reverse("reports:patient-dashboard"),
        ],
        "hospital_admin": [
            reverse("scheduling:appointment-list") + "?when=upcoming",
            reverse("scheduling:appointment-list") + "?when=upcoming&attention=1",
            reverse("scheduling:appointment-detail", args=[booked.pk]),
            reverse("scheduling:doctor-day") + f"?date={day}&doctor={booked.doctor_id}",
        ],
    }


def test_kept_leave_is_flagged_everywhere_the_appointment_appears(
    client, request, doctor, patient, hospital_admin, booked
):
    _keep_leave(client, doctor, booked)
    booked.refresh_from_db()
    assert booked.status == "booked"

    for role, urls in _pages(booked).items():
        client.force_login(request.getfixturevalue(role))
        for url in urls:
            assert LEAVE in client.get(url).content.decode(), (role, url)

    client.force_login(hospital_admin)
    dashboard = client.get(reverse("reports:hospital-dashboard")).content.decode()
    assert "1 upcoming appointment falls in a doctor" in dashboard


def test_kept_holiday_is_flagged_and_the_flag_goes_once_moved(
    client, request, hospital_admin, patient, booked
):
    client.force_login(hospital_admin)
    day = timezone.localdate(booked.start)
    client.post(
        reverse("scheduling:holidays"),
        {"date": day.isoformat(), "name": "Storm", "affected": "keep"},
    )

    for role, urls in _pages(booked).items():
        client.force_login(request.getfixturevalue(role))
        for url in urls:
            assert CLOSED in client.get(url).content.decode(), (role, url)

    moved = services.appointment_reschedule(
        appointment=booked, start=booked.start + timedelta(days=1), by=hospital_admin
    )
    client.force_login(hospital_admin)
    listing = client.get(reverse("scheduling:appointment-list") + "?when=upcoming&attention=1")
    assert list(listing.context["page"]) == []
    assert (
        CLOSED
        not in client.get(
            reverse("scheduling:appointment-detail", args=[moved.pk])
        ).content.decode()
    )


def test_leave_added_before_the_booking_existed_flags_it_too(doctor, patient, open_doctor):
    start = next_weekday_slot(10)
    appointment = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=start, by=patient
    )
    # Added in Django admin or by a script, without the keep-or-cancel question.
    open_doctor.leaves.create(start=start - timedelta(hours=1), end=start + timedelta(hours=1))

    found = Appointment.objects.needing_attention()
    assert list(found) == [appointment] and found[0].attention == "leave"


def test_the_staff_filter_lists_only_appointments_needing_attention(
    client, doctor, hospital_admin, patient, open_doctor, booked
):
    other = services.appointment_book(
        patient=patient.patient_profile,
        doctor=open_doctor,
        start=next_weekday_slot(10, days_ahead=3),
        by=patient,
    )
    _keep_leave(client, doctor, booked)
    client.force_login(hospital_admin)

    page = client.get(reverse("scheduling:appointment-list") + "?when=upcoming&attention=1")

    assert [a.pk for a in page.context["page"]] == [booked.pk]
    html = page.content.decode()
    assert reverse("scheduling:reschedule", args=[booked.pk]) in html
    assert reverse("scheduling:appointment-cancel", args=[booked.pk]) in html
    everything = client.get(reverse("scheduling:appointment-list") + "?when=upcoming")
    assert {a.pk for a in everything.context["page"]} == {booked.pk, other.pk}


def test_the_slot_grid_shows_leave_and_holidays_instead_of_open_slots(
    client, doctor, hospital_admin, open_doctor
):
    day = timezone.localdate() + timedelta(days=8)
    start = next_weekday_slot(0, days_ahead=8)  # the whole day
    services.leave_add(
        doctor=open_doctor,
        start=start,
        end=start + timedelta(hours=24),
        reason="Course",
        by=doctor,
    )
    services.holiday_add(day=day + timedelta(days=2), name="Founders' Day", by=hospital_admin)
    client.force_login(doctor)

    grid = client.get(reverse("scheduling:slot-grid") + f"?week={day.isoformat()}")

    columns = {c["day"]: c for c in grid.context["columns"]}
    assert columns[day]["cells"] and all(c["leave"] for c in columns[day]["cells"])
    html = grid.content.decode()
    assert "On leave" in html and "Hospital closed" in html
    holiday = columns[day + timedelta(days=2)]
    assert holiday["holiday"] and all(c["leave"] for c in holiday["cells"])


def test_a_patient_may_move_a_flagged_appointment_after_the_cutoff(
    client, doctor, patient, open_doctor, settings
):
    settings.HMS_PATIENT_CANCEL_CUTOFF_MINUTES = 60 * 24 * 7  # every booking is past the cutoff
    appointment = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=next_weekday_slot(10), by=patient
    )
    assert not appointment.can_transition("reschedule", by=patient)

    _keep_leave(client, doctor, appointment)
    appointment = Appointment.objects.get(pk=appointment.pk)

    assert appointment.can_transition("reschedule", by=patient)
    assert appointment.can_transition("cancel", by=patient)
    client.force_login(patient)
    detail = client.get(reverse("scheduling:appointment-detail", args=[appointment.pk]))
    assert "please reschedule it to another time or cancel it" in detail.content.decode()


def test_leave_and_holidays_over_no_booking_are_added_without_a_question(
    client, doctor, hospital_admin
):
    client.force_login(hospital_admin)
    day = (timezone.localdate() + timedelta(days=9)).isoformat()
    response = client.post(reverse("scheduling:holidays"), {"date": day, "name": "Quiet day"})
    assert response.status_code == 302
    client.force_login(doctor)
    response = client.post(
        reverse("scheduling:leave-add"),
        {"start": f"{day}T08:00", "end": f"{day}T18:00", "reason": "Course"},
    )
    assert response.status_code == 302
