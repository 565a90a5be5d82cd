"""A refused booking or move says why in one sentence, once."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling import services
from scheduling.models import Appointment
from scheduling.slots import Slot
from scheduling.tests.conftest import next_weekday_slot

pytestmark = pytest.mark.django_db


def key(start):
    return Slot(start, start).key


def slot_errors(response) -> list[str]:
    """The messages in the picker's error box, one per sentence shown."""
    html = response.content.decode()
    boxes = re.findall(r'<div class="alert alert-danger py-2" role="alert">(.*?)</div>', html, re.S)
    return [m.strip() for box in boxes for m in re.split(r"(?<=[.?!]) ", box.strip()) if m]


@pytest.fixture
def colleague(other_doctor):
    profile = other_doctor.doctor_profile
    for weekday in range(7):
        profile.working_hours.create(weekday=weekday, start="09:00", end="17:00")
    return profile


def test_a_slot_taken_meanwhile_is_said_once(client, patient, other_patient, open_doctor):
    start = next_weekday_slot(10)
    day = timezone.localdate(start).isoformat()
    url = reverse("scheduling:book", args=[open_doctor.pk])
    client.force_login(patient)
    client.get(f"{url}?date={day}")  # the picker is cached with 10:00 free
    services.appointment_book(
        patient=other_patient.patient_profile, doctor=open_doctor, start=start, by=other_patient
    )

    response = client.post(url, {"date": day, "slot": key(start), "reason": "Cough"})

    assert slot_errors(response) == ["Sorry, 10:00 was just taken — please pick another time."]
    assert ">\nCough</textarea>" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_a_patient_already_busy_then_is_told_in_their_own_words(
    client, patient, open_doctor, colleague
):
    start = next_weekday_slot(11)
    services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=start, by=patient
    )
    client.force_login(patient)

    response = client.post(reverse("scheduling:book", args=[colleague.pk]), {"slot": key(start)})

    assert slot_errors(response) == [
        "You already have an appointment at this time — please pick another."
    ]
    assert Appointment.objects.count() == 1


def test_a_move_to_a_slot_taken_meanwhile_is_said_once(client, patient, other_patient, open_doctor):
    appointment = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=next_weekday_slot(9), by=patient
    )
    target = next_weekday_slot(12)
    day = timezone.localdate(target).isoformat()
    url = reverse("scheduling:reschedule", args=[appointment.pk])
    client.force_login(patient)
    client.get(f"{url}?date={day}")
    services.appointment_book(
        patient=other_patient.patient_profile, doctor=open_doctor, start=target, by=other_patient
    )

    response = client.post(url, {"date": day, "slot": key(target)})

    assert slot_errors(response) == ["Sorry, 12:00 was just taken — please pick another time."]
    appointment.refresh_from_db()
    assert appointment.status == "booked"
