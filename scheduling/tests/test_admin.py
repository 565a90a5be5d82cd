"""Superusers repair schedules in Django admin, through the same services as the HMS pages."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.factories import UserFactory
from clinic.tests.factories import PatientFactory
from records.models import AccessLogEntry
from scheduling import services, slots
from scheduling.models import Appointment, AppointmentEvent, Holiday, Leave, WorkingHours
from scheduling.tests.conftest import next_weekday_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return UserFactory(is_superuser=True, is_staff=True, email="root@example.com")


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


@pytest.fixture
def booked(patient, open_doctor):
    return services.appointment_book(
        patient=patient.patient_profile, doctor=open_doctor, start=next_weekday_slot(10), by=patient
    )


def _split(start):
    local = timezone.localtime(start)
    return {"start_0": local.strftime("%Y-%m-%d"), "start_1": local.strftime("%H:%M:%S")}


def _change(appointment, **data):
    return {
        "doctor": appointment.doctor_id,
        **_split(appointment.start),
        "action": "",
        "note": "",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": str(appointment.events.count()),
        **data,
    }


def test_superuser_books_an_offered_slot_and_the_event_names_them(
    admin_client, root, patient, open_doctor, django_capture_on_commit_callbacks
):
    start = next_weekday_slot(11)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/scheduling/appointment/add/",
            {
                "doctor": open_doctor.pk,
                "patient": patient.patient_profile.pk,
                **_split(start),
                "reason": "Repair",
                "events-TOTAL_FORMS": "0",
                "events-INITIAL_FORMS": "0",
            },
        )

    assert response.status_code == 302, response.context["adminform"].form.errors
    appointment = Appointment.objects.get()
    assert appointment.start == start and appointment.booked_by == root
    assert appointment.events.get().actor == root
    assert [m.to for m in mail.outbox] == [[patient.email]]


def test_an_overlapping_booking_cannot_be_saved_in_admin(admin_client, booked):
    other = PatientFactory()

    response = admin_client.post(
        "/admin/scheduling/appointment/add/",
        {
            "doctor": booked.doctor_id,
            "patient": other.pk,
            **_split(booked.start),
            "reason": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "not offered" in str(response.context["adminform"].form.non_field_errors())
    assert Appointment.objects.count() == 1


def test_cancelling_in_admin_notifies_and_records_the_superuser(
    admin_client, root, patient, booked, django_capture_on_commit_callbacks
):
    url = f"/admin/scheduling/appointment/{booked.pk}/change/"
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, _change(booked, action="cancel", note="Duplicate"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    booked.refresh_from_db()
    assert booked.status == "cancelled" and booked.cancelled_by == root
    event = booked.events.latest("pk")
    assert (event.action, event.actor, event.reason) == ("cancel", root, "Duplicate")
    assert [m.to for m in mail.outbox] == [[patient.email]]


def test_moving_in_admin_reschedules_through_the_service(admin_client, root, booked):
    new_start = booked.start + timedelta(hours=2)

    response = admin_client.post(
        f"/admin/scheduling/appointment/{booked.pk}/change/", _change(booked, **_split(new_start))
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    booked.refresh_from_db()
    moved = Appointment.objects.get(rescheduled_from=booked)
    assert booked.status == "cancelled" and moved.start == new_start and moved.booked_by == root
    assert AppointmentEvent.objects.filter(appointment=booked, action="rescheduled").exists()


def test_a_refused_status_change_is_shown_and_nothing_changes(admin_client, booked):
    response = admin_client.post(
        f"/admin/scheduling/appointment/{booked.pk}/change/", _change(booked, action="no_show")
    )

    assert response.status_code == 200
    errors = str(response.context["adminform"].form.non_field_errors())
    assert "only once the appointment&#x27;s start time has passed" in errors
    booked.refresh_from_db()
    assert booked.status == "booked"


def test_appointments_cannot_be_deleted_in_admin(admin_client, booked):
    response = admin_client.post(
        f"/admin/scheduling/appointment/{booked.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403
    assert Appointment.objects.filter(pk=booked.pk).exists()


def test_admin_finds_appointments_and_logs_every_read(admin_client, patient, booked):
    listing = admin_client.get(f"/admin/scheduling/appointment/?q={patient.email}&status=booked")
    detail = admin_client.get(f"/admin/scheduling/appointment/{booked.pk}/change/")

    assert listing.status_code == 200 and detail.status_code == 200
    assert list(listing.context["cl"].result_list) == [booked]
    (events,) = detail.context["inline_admin_formsets"]  # the appointment's history, inline
    assert [e.action for e in events.formset.queryset] == ["booked"]
    logged = list(
        AccessLogEntry.objects.order_by("pk").values_list("object_type", "object_id", "patient")
    )
    assert logged == [
        ("appointment_list", "admin", None),
        ("appointment", str(booked.pk), patient.patient_profile.pk),
    ]


def test_working_hours_admin_refuses_overlaps_and_keeps_versions(admin_client, root, open_doctor):
    monday = open_doctor.working_hours.get(weekday=0)
    add = {"doctor": open_doctor.pk, "weekday": 0, "start": "16:00", "end": "18:00"}

    refused = admin_client.post("/admin/scheduling/workinghours/add/", add)
    assert "overlaps" in str(refused.context["adminform"].form.non_field_errors())

    changed = admin_client.post(
        f"/admin/scheduling/workinghours/{monday.pk}/change/", {**add, "start": "09:00"}
    )
    assert changed.status_code == 302, changed.context["adminform"].form.errors
    monday.refresh_from_db()
    assert (monday.start, monday.end) == (time(9), time(18))
    assert WorkingHours.history.filter(id=monday.pk, history_type="~").get().history_user == root


def test_leave_and_holidays_added_in_admin_close_the_slots(
    admin_client, open_doctor, django_capture_on_commit_callbacks
):
    day = timezone.localdate() + timedelta(days=3)
    start = next_weekday_slot(9, days_ahead=3)
    assert slots.free_slots(open_doctor, day, day)[day]

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/scheduling/leave/add/",
            {
                "doctor": open_doctor.pk,
                **_split(start),
                "end_0": timezone.localtime(start).strftime("%Y-%m-%d"),
                "end_1": "18:00:00",
                "reason": "Course",
            },
        )
    assert Leave.objects.count() == 1
    assert slots.free_slots(open_doctor, day, day)[day] == []

    other_day = day + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/scheduling/holiday/add/", {"date": other_day.isoformat(), "name": "Storm"}
        )
    assert Holiday.objects.filter(name="Storm").exists()
    assert slots.free_slots(open_doctor, other_day, other_day)[other_day] == []


def test_patient_search_in_an_admin_autocomplete_is_in_the_access_log(admin_client, patient):
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "term": patient.last_name,
            "app_label": "scheduling",
            "model_name": "appointment",
            "field_name": "patient",
        },
    )

    assert response.status_code == 200 and response.json()["results"]
    assert AccessLogEntry.objects.filter(object_type="patient_list", action="search").exists()


def test_a_failing_inline_after_the_service_wrote_rolls_the_write_back(
    admin_client, patient, open_doctor
):
    response = admin_client.post(
        "/admin/scheduling/appointment/add/",
        {
            "doctor": open_doctor.pk,
            "patient": patient.patient_profile.pk,
            **_split(next_weekday_slot(11)),
            "reason": "",
            # no management form for the events inline: the page answers with an error
        },
    )

    assert response.status_code == 200
    assert not Appointment.objects.exists()


def test_moving_then_continuing_opens_the_new_appointment(admin_client, booked):
    response = admin_client.post(
        f"/admin/scheduling/appointment/{booked.pk}/change/",
        _change(
            booked,
            **_split(booked.start + timedelta(hours=1)),
            note="Asked by phone",
            _continue="1",
        ),
    )

    moved = Appointment.objects.get(rescheduled_from=booked)
    assert response.url == f"/admin/scheduling/appointment/{moved.pk}/change/"
    assert "Asked by phone" in booked.events.get(action="rescheduled").reason


def test_working_hours_versions_cannot_be_reverted(admin_client, open_doctor):
    hours = open_doctor.working_hours.first()
    version = hours.history.first()
    url = f"/admin/scheduling/workinghours/{hours.pk}/history/{version.history_id}/"

    response = admin_client.post(
        url, {"doctor": open_doctor.pk, "weekday": 0, "start": "06:00", "end": "07:00"}
    )

    assert response.status_code == 403
    hours.refresh_from_db()
    assert hours.start.hour == 9
