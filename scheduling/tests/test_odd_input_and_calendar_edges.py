"""Odd input and the edges of the calendar: far-away dates, odd digits, DST, a changed
appointment length, forged form counts, appointments longer than a day."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from scheduling import services, slots
from scheduling.models import SlotOverride
from scheduling.tests.conftest import next_weekday_slot
from scheduling.tests.factories import AppointmentFactory, doctor_with_hours

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/scheduling/today/?date=9999-12-31",
        "/scheduling/week/?start=0001-01-01",
        "/scheduling/availability/slots/?week=9999-12-31",
    ],
)
def test_far_away_dates_are_ignored_not_a_500(client, doctor, url):
    client.force_login(doctor)
    assert client.get(url).status_code == 200


def test_far_away_dates_in_staff_filters_and_holidays(client, hospital_admin):
    client.force_login(hospital_admin)
    listing = client.get(reverse("scheduling:appointment-list"), {"date_to": "9999-12-31"})
    assert listing.status_code == 200
    response = client.post(reverse("scheduling:holidays"), {"date": "9999-12-31", "name": "X"})
    assert "within the next few years" in response.content.decode()


@pytest.mark.parametrize("value", ["²", "1²", "9" * 40])
def test_odd_digits_in_ids_are_refused_cleanly(client, hospital_admin, value):
    client.force_login(hospital_admin)
    assert client.get("/records/all/", {"doctor": value}).status_code == 200
    assert (
        client.post(reverse("scheduling:appointment-bulk-cancel"), {"ids": value}).status_code
        == 302
    )
    assert client.get("/scheduling/today/", {"doctor": value}).status_code == 404


def test_day_off_also_switches_off_extra_slots(client, doctor, open_doctor):
    client.force_login(doctor)
    day = timezone.localdate() + timedelta(days=3)
    evening = datetime.combine(day, time(19), tzinfo=timezone.get_current_timezone())
    SlotOverride.objects.create(doctor=open_doctor, start=evening, available=True)
    client.post(reverse("scheduling:slot-toggle"), {"day": day.isoformat(), "available": "0"})
    assert slots.free_slots(open_doctor, day, day, use_cache=False)[day] == []


def test_a_new_appointment_length_is_seen_at_once(open_doctor):
    day = timezone.localdate() + timedelta(days=2)
    assert len(slots.free_slots(open_doctor, day, day)[day]) == 16
    open_doctor.slot_minutes = 60
    open_doctor.save()
    assert len(slots.free_slots(open_doctor, day, day)[day]) == 8


def test_spring_forward_slots_never_overlap():
    doctor = doctor_with_hours(days=[6], start=time(0), end=time(4), slot_minutes=45)
    day = date(2027, 3, 28)
    now = datetime(2027, 3, 20, tzinfo=ZoneInfo("Europe/London"))
    got = slots.free_slots(doctor, day, day, now=now, use_cache=False)[day]
    assert all(a.end <= b.start for a, b in itertools.pairwise(got)), [
        (s.start.isoformat(), s.end.isoformat()) for s in got
    ]
    assert got[0].start == datetime(2027, 3, 28, 0, 0, tzinfo=UTC)


def test_a_moved_appointment_cancels_the_old_calendar_entry(
    patient, open_doctor, django_capture_on_commit_callbacks
):
    old = services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=next_weekday_slot(10), by=patient
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_reschedule(appointment=old, start=next_weekday_slot(11), by=patient)
    attachments = {name: body for name, body, _ in mail.outbox[0].attachments}
    assert f"UID:appointment-{old.pk}@hms" in attachments["previous-appointment.ics"]
    assert "METHOD:CANCEL" in attachments["previous-appointment.ics"]


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(CommandError, match="published password"):
        call_command("seed_demo")


def test_a_forged_working_hours_count_builds_a_bounded_number_of_forms(client, doctor):
    client.force_login(doctor)
    data = {"hours-TOTAL_FORMS": "1001", "hours-INITIAL_FORMS": "0"}

    response = client.post(reverse("scheduling:availability"), data)

    assert response.status_code == 200
    assert len(response.context["formset"].forms) <= 42
    assert not doctor.doctor_profile.working_hours.exists()


def test_the_database_refuses_an_appointment_longer_than_a_day(doctor, patient):
    # Overlap checks look back one day at most (index range scans): longer ones must not exist.
    from django.db import IntegrityError, transaction

    start = next_weekday_slot(10)
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(
            doctor=doctor.doctor_profile,
            patient=patient.patient_profile,
            start=start,
            end=start + timedelta(hours=25),
        )
    ok = AppointmentFactory(
        doctor=doctor.doctor_profile,
        patient=patient.patient_profile,
        start=start,
    )
    assert ok.pk
