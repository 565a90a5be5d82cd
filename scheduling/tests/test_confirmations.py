"""Destructive actions ask first: GET shows what will happen and changes nothing; the POST of
the confirmation page does it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling import services
from scheduling.models import Appointment, Holiday, Leave
from scheduling.tests.conftest import next_weekday_slot

pytestmark = pytest.mark.django_db


def _book_on(day_hour, patient, doctor):
    return services.appointment_book(
        patient=patient.patient_profile, doctor=doctor, start=day_hour, by=patient
    )


def test_holiday_remove_asks_first_naming_the_day_and_the_kept_bookings(
    client, hospital_admin, patient, open_doctor
):
    start = next_weekday_slot(10)
    _book_on(start, patient, open_doctor)
    day = timezone.localdate(start)
    services.holiday_add(day=day, name="Founders' Day", by=hospital_admin, cancel_affected=False)
    holiday = Holiday.objects.get()
    client.force_login(hospital_admin)

    listing = client.get(reverse("scheduling:holidays")).content.decode()
    url = reverse("scheduling:holiday-delete", args=[holiday.pk])
    assert f'href="{url}"' in listing  # a link to the question, not a button that deletes

    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Remove the holiday “Founders&#x27; Day” on {day:%a} {day.day} {day:%b %Y}?" in html
    assert "1 kept booking stays booked" in html
    assert '<form method="post"' in html and "Remove holiday" in html
    assert Holiday.objects.filter(pk=holiday.pk).exists()

    client.post(url)
    assert not Holiday.objects.exists()
    assert Appointment.objects.get().status == Appointment.Status.BOOKED


def test_leave_remove_asks_first_and_only_the_post_removes_it(client, doctor, open_doctor):
    start = next_weekday_slot(9, days_ahead=5)
    leave = Leave.objects.create(
        doctor=open_doctor, start=start, end=start + timezone.timedelta(hours=4)
    )
    client.force_login(doctor)
    url = reverse("scheduling:leave-delete", args=[leave.pk])
    assert f'href="{url}"' in client.get(reverse("scheduling:availability")).content.decode()

    page = client.get(url).content.decode()
    assert "Remove Dr" in page and "leave from" in page
    assert "No booked appointment falls in this time." in page
    assert Leave.objects.filter(pk=leave.pk).exists()

    client.post(url)
    assert not Leave.objects.filter(pk=leave.pk).exists()


def test_another_doctors_leave_cannot_be_asked_about(client, other_doctor, open_doctor):
    start = next_weekday_slot(9, days_ahead=5)
    leave = Leave.objects.create(
        doctor=open_doctor, start=start, end=start + timezone.timedelta(hours=4)
    )
    client.force_login(other_doctor)
    assert client.get(reverse("scheduling:leave-delete", args=[leave.pk])).status_code == 403
    assert client.post(reverse("scheduling:leave-delete", args=[leave.pk])).status_code == 403
    assert Leave.objects.filter(pk=leave.pk).exists()


def test_bulk_cancel_lists_the_selection_and_asks_for_a_reason_before_cancelling(
    client, hospital_admin, patient, other_patient, open_doctor
):
    first = _book_on(next_weekday_slot(10), patient, open_doctor)
    second = _book_on(next_weekday_slot(11), other_patient, open_doctor)
    client.force_login(hospital_admin)
    listing = client.get(reverse("scheduling:appointment-list"), {"when": "upcoming"})
    assert '<form method="get" action="/scheduling/appointments/cancel/">' in (
        listing.content.decode()
    )

    page = client.get(
        reverse("scheduling:appointment-bulk-cancel"),
        {"ids": [first.pk, second.pk], "next": "/scheduling/appointments/?when=upcoming"},
    )
    html = page.content.decode()
    assert "Cancel 2 appointments and notify the patients?" in html
    assert str(first.patient) in html and str(second.patient) in html
    assert 'name="reason"' in html and "Cancel 2 appointments</button>" in html
    assert set(Appointment.objects.values_list("status", flat=True)) == {"booked"}

    response = client.post(
        reverse("scheduling:appointment-bulk-cancel"),
        {"ids": [first.pk, second.pk], "reason": "Doctor unavailable",
         "next": "/scheduling/appointments/?when=upcoming"},
    )  # fmt: skip
    assert response.url == "/scheduling/appointments/?when=upcoming"
    assert set(Appointment.objects.values_list("cancel_reason", flat=True)) == {
        "Doctor unavailable"
    }


def test_bulk_cancel_without_a_selection_says_so(client, hospital_admin):
    client.force_login(hospital_admin)
    response = client.get(reverse("scheduling:appointment-bulk-cancel"), follow=True)
    assert "Select the appointments to cancel first." in response.content.decode()


def test_block_doctor_page_links_to_their_upcoming_appointments(
    client, hospital_admin, patient, open_doctor
):
    _book_on(next_weekday_slot(10), patient, open_doctor)
    client.force_login(hospital_admin)

    page = client.get(reverse("clinic:doctor-action", args=[open_doctor.pk, "block"]))

    html = page.content.decode()
    url = f"/scheduling/appointments/?doctor={open_doctor.pk}&amp;when=upcoming"
    assert f'<a href="{url}">the appointment list of this doctor</a>' in html
    assert f"({url})" not in html and "(/scheduling/" not in html
