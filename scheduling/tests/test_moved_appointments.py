"""A moved appointment says where it went, on every page that lists it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scheduling import services
from scheduling.tests.conftest import next_weekday_slot

pytestmark = pytest.mark.django_db


def book_and_move(patient, doctor, hour: int):
    old = services.appointment_book(
        patient=patient.patient_profile, doctor=doctor, start=next_weekday_slot(hour), by=patient
    )
    new = services.appointment_reschedule(
        appointment=old, start=next_weekday_slot(hour, days_ahead=3), by=patient
    )
    return old, new


def moved_link(new) -> str:
    when = timezone.localtime(new.start)
    return (
        f'href="{reverse("scheduling:appointment-detail", args=[new.pk])}">'
        f"Moved to {when:%a} {when.day} {when:%b %Y, %H:%M} <i"
    )


@pytest.fixture
def moved(patient, open_doctor):
    return book_and_move(patient, open_doctor, 10)


def test_patients_list_shows_a_moved_appointment_as_moved_with_a_link(client, patient, moved):
    _, new = moved
    client.force_login(patient)
    html = client.get(reverse("scheduling:my-appointments")).content.decode()
    assert moved_link(new) in html
    assert ">Cancelled</span>" not in html


def test_a_plain_cancellation_still_says_cancelled(client, patient, open_doctor):
    appointment = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=next_weekday_slot(), by=patient
    )
    services.appointment_transition(appointment=appointment, action="cancel", by=patient)
    client.force_login(patient)
    html = client.get(reverse("scheduling:my-appointments")).content.decode()
    assert ">Cancelled</span>" in html and "Moved to" not in html


def test_the_old_appointments_page_links_to_the_new_one_and_back(client, patient, moved):
    old, new = moved
    client.force_login(patient)
    old_page = client.get(reverse("scheduling:appointment-detail", args=[old.pk])).content.decode()
    assert moved_link(new) in old_page
    assert '<dt class="col-sm-3">Moved to</dt>' in old_page
    new_page = client.get(reverse("scheduling:appointment-detail", args=[new.pk])).content.decode()
    assert f'href="{reverse("scheduling:appointment-detail", args=[old.pk])}"' in new_page


def test_staff_list_and_doctors_day_show_the_move(client, hospital_admin, doctor, moved):
    old, new = moved
    client.force_login(hospital_admin)
    staff = client.get(reverse("scheduling:appointment-list") + "?status=cancelled")
    assert moved_link(new) in staff.content.decode()

    client.force_login(doctor)
    day = timezone.localdate(old.start).isoformat()
    doctor_day = client.get(reverse("scheduling:doctor-day") + f"?date={day}")
    assert moved_link(new) in doctor_day.content.decode()


def test_moved_rows_cost_no_extra_queries(client, patient, open_doctor):
    client.force_login(patient)
    url = reverse("scheduling:my-appointments")
    book_and_move(patient, open_doctor, 9)
    client.get(url)  # the signed-in user is read from the database once, then from the cache
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for hour in (11, 13, 15):
        book_and_move(patient, open_doctor, hour)
    with CaptureQueriesContext(connection) as four:
        html = client.get(url).content.decode()
    assert html.count("Moved to") == 4
    assert len(four) == len(one)


def test_a_move_of_a_move_links_to_the_next_one(client, patient, open_doctor, moved):
    _, new = moved
    newest = services.appointment_reschedule(
        appointment=new, start=new.start + timedelta(hours=2), by=patient
    )
    client.force_login(patient)
    html = client.get(reverse("scheduling:my-appointments")).content.decode()
    assert moved_link(new) in html and moved_link(newest) in html
