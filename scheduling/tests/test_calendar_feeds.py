"""Calendar feeds as calendar apps see them: the events (parsed back with icalendar), one event
per appointment through moves and cancellations, minimal data, tokens, conditional requests,
the access log, the rate limit and a fixed number of queries."""

from datetime import timedelta

import icalendar
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clinic import services as clinic_services
from clinic.tests.factories import PatientFactory
from records.models import AccessLogEntry
from scheduling import services
from scheduling.models import Appointment, CalendarFeed
from scheduling.tests.conftest import next_weekday_slot
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def fetch(client, token, **headers):
    return client.get(reverse("scheduling:calendar-feed-ics", args=[token]), **headers)


def events(response) -> dict:
    """The feed's events by UID (the body parsed back by icalendar)."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uid(appointment) -> str:
    return f"appointment-{appointment.pk}@{settings.HMS_CALENDAR_UID_DOMAIN}"


@pytest.fixture
def jane(db):
    """A patient called Jane Smith."""
    return PatientFactory(user__first_name="Jane", user__last_name="Smith")


@pytest.fixture
def booked(jane, open_doctor):
    return services.appointment_book(
        patient=jane, doctor=open_doctor, start=next_weekday_slot(10), reason="Chest pain",
        by=jane.user,
    )  # fmt: skip


def test_a_patients_feed_names_the_doctor_and_department_only(client, jane, booked):
    token = services.calendar_feed_enable(owner=jane.user)

    response = fetch(client, token)

    event = events(response)[uid(booked)]
    doctor = booked.doctor
    assert str(event["SUMMARY"]) == f"Appointment with {doctor.display_name}"
    assert str(event["DESCRIPTION"]) == f"{doctor.display_name}, {doctor.department.name}"
    assert event.decoded("DTSTART") == booked.start
    assert event.decoded("DTEND") == booked.end
    assert str(event["STATUS"]) == "CONFIRMED"
    assert settings.HOSPITAL_ADDRESS in str(event["LOCATION"])
    assert b"Chest pain" not in response.content


def test_the_feed_carries_the_hospital_time_zone(client, jane, booked):
    response = fetch(client, services.calendar_feed_enable(owner=jane.user))

    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == [settings.TIME_ZONE]
    event = calendar.walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == settings.TIME_ZONE


def test_a_doctors_feed_names_patients_by_initials_and_hides_the_reason(client, doctor, booked):
    response = fetch(client, services.calendar_feed_enable(owner=doctor))

    event = events(response)[uid(booked)]
    assert str(event["SUMMARY"]) == "Appointment: J. S."
    assert "DESCRIPTION" not in event
    assert b"Jane" not in response.content and b"Smith" not in response.content
    assert b"Chest pain" not in response.content


def test_a_doctor_who_opted_in_sees_the_reason(client, doctor, booked):
    token = services.calendar_feed_enable(owner=doctor)
    services.calendar_feed_set_options(owner=doctor, include_reason=True)

    event = events(fetch(client, token))[uid(booked)]

    assert str(event["DESCRIPTION"]) == "Reason for the visit: Chest pain"
    assert str(event["SUMMARY"]) == "Appointment: J. S."


def test_a_moved_appointment_stays_one_event_whose_sequence_grows(client, jane, doctor, booked):
    tokens = [services.calendar_feed_enable(owner=u) for u in (jane.user, doctor)]
    before = [events(fetch(client, t))[uid(booked)] for t in tokens]

    moved = services.appointment_reschedule(
        appointment=booked, start=next_weekday_slot(11, days_ahead=3), by=jane.user
    )
    again = services.appointment_reschedule(
        appointment=moved, start=next_weekday_slot(12, days_ahead=4), by=jane.user
    )

    for token, old in zip(tokens, before, strict=True):
        feed = events(fetch(client, token))
        assert list(feed) == [uid(booked)]  # the old rows are not separate events
        event = feed[uid(booked)]
        assert event.decoded("DTSTART") == again.start
        assert event["SEQUENCE"] > old["SEQUENCE"]
        assert str(event["STATUS"]) == "CONFIRMED"


def test_a_cancelled_appointment_is_marked_cancelled_with_a_higher_sequence(client, jane, booked):
    token = services.calendar_feed_enable(owner=jane.user)
    before = events(fetch(client, token))[uid(booked)]

    services.appointment_transition(appointment=booked, action="cancel", by=jane.user)

    event = events(fetch(client, token))[uid(booked)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] > before["SEQUENCE"]


def test_a_move_to_a_colleague_cancels_the_event_in_the_first_doctors_feed(
    client, jane, doctor, other_doctor, booked, hospital_admin
):
    colleague = other_doctor.doctor_profile
    colleague.department = booked.doctor.department
    colleague.save()
    for weekday in range(7):
        colleague.working_hours.create(weekday=weekday, start="09:00", end="17:00")
    token = services.calendar_feed_enable(owner=doctor)

    services.appointment_reschedule(
        appointment=booked, start=next_weekday_slot(11), by=hospital_admin, doctor=colleague
    )

    event = events(fetch(client, token))[uid(booked)]
    assert str(event["STATUS"]) == "CANCELLED"
    colleague_feed = events(fetch(client, services.calendar_feed_enable(owner=other_doctor)))
    assert str(colleague_feed[uid(booked)]["STATUS"]) == "CONFIRMED"


def test_the_feed_holds_the_last_30_days_and_whats_ahead(client, jane, open_doctor):
    now = timezone.now()
    recent, _too_old = (
        AppointmentFactory(
            doctor=open_doctor,
            patient=jane,
            start=now - timedelta(days=days),
            end=now - timedelta(days=days) + timedelta(minutes=30),
            status=Appointment.Status.COMPLETED,
        )
        for days in (29, 32)
    )
    ahead = AppointmentFactory(doctor=open_doctor, patient=jane, start=now + timedelta(days=200))

    feed = events(fetch(client, services.calendar_feed_enable(owner=jane.user)))

    assert set(feed) == {uid(recent), uid(ahead)}
    assert str(feed[uid(recent)]["SUMMARY"]).endswith("(Completed)")


# --- Tokens -----------------------------------------------------------------------------------


def test_only_the_tokens_prefix_and_digest_are_stored(jane):
    import hashlib

    token = services.calendar_feed_enable(owner=jane.user)

    feed = CalendarFeed.objects.get(owner=jane.user)
    assert len(token) >= 48
    assert feed.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert feed.token_prefix == token[:8]
    stored = CalendarFeed.objects.filter(pk=feed.pk).values_list().get()
    assert not any(token in str(value) for value in stored)


def test_wrong_revoked_and_replaced_tokens_get_404(client, jane, booked):
    first = services.calendar_feed_enable(owner=jane.user)
    second = services.calendar_feed_regenerate(owner=jane.user)
    assert fetch(client, second).status_code == 200

    wrong_rest = second[:8] + ("A" if second[8] != "A" else "B") + second[9:]
    for token in (first, wrong_rest, "x" * 51, "short", second[:8]):
        assert fetch(client, token).status_code == 404, token

    services.calendar_feed_revoke(owner=jane.user)
    assert fetch(client, second).status_code == 404


def test_tokens_are_compared_in_constant_time_whether_a_feed_matched_or_not(
    client, jane, monkeypatch
):
    import hmac

    from scheduling import access

    token = services.calendar_feed_enable(owner=jane.user)
    compared, real = [], hmac.compare_digest

    def spy(a, b):
        compared.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(access.hmac, "compare_digest", spy)
    fetch(client, token)
    fetch(client, token[:8] + "A" * 43)  # a known prefix, a wrong secret
    fetch(client, "B" * 51)  # no feed with that prefix

    assert compared == [(64, 64)] * 3  # every way: one digest compared with one digest


# --- Conditional requests -------------------------------------------------------------------


def test_an_unchanged_feed_is_answered_304(client, jane, booked):
    token = services.calendar_feed_enable(owner=jane.user)
    first = fetch(client, token)
    etag, modified = first["ETag"], first["Last-Modified"]

    assert fetch(client, token, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert fetch(client, token, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    not_modified = fetch(client, token, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.content == b"" and not_modified["ETag"] == etag


def test_a_change_gives_the_feed_a_new_version(client, jane, booked):
    token = services.calendar_feed_enable(owner=jane.user)
    etag = fetch(client, token)["ETag"]

    services.appointment_transition(appointment=booked, action="cancel", by=jane.user)

    response = fetch(client, token, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag
    assert "private" in response["Cache-Control"]


# --- The access log -------------------------------------------------------------------------


def test_each_fetch_of_a_patients_feed_is_in_their_access_log(client, jane, booked):
    token = services.calendar_feed_enable(owner=jane.user)
    etag = fetch(client, token, REMOTE_ADDR="203.0.113.9")["ETag"]
    fetch(client, token, HTTP_IF_NONE_MATCH=etag, REMOTE_ADDR="203.0.113.9")

    rows = AccessLogEntry.objects.filter(object_type="calendar_feed")
    assert rows.count() == 2
    row = rows.first()
    assert (row.actor, row.role, row.patient, row.ip) == (
        jane.user,
        "calendar feed",
        jane,
        "203.0.113.9",
    )
    assert row.path == f"/scheduling/feeds/{token[:8]}***.ics"  # never the whole token
    client.force_login(jane.user)
    page = client.get(reverse("records:access-log")).content.decode()
    assert "Calendar app fetched the appointments (calendar feed)" in page
    assert CalendarFeed.objects.get(owner=jane.user).last_fetched is not None


def test_a_fetch_of_a_doctors_feed_is_logged_under_the_doctor(client, doctor, booked):
    fetch(client, services.calendar_feed_enable(owner=doctor))

    row = AccessLogEntry.objects.get(object_type="calendar_feed")
    assert (row.actor, row.role, row.patient, row.outcome) == (
        doctor,
        "calendar feed",
        None,
        "allowed",
    )


def test_wrong_tokens_leave_no_trace_in_the_access_log(client, jane):
    fetch(client, "C" * 51)
    assert not AccessLogEntry.objects.exists()


# --- Who may still use a feed ---------------------------------------------------------------


@pytest.mark.parametrize("action", ["block", "remove"])
def test_a_blocked_or_removed_doctors_feed_stops(client, doctor, booked, hospital_admin, action):
    token = services.calendar_feed_enable(owner=doctor)
    assert fetch(client, token).status_code == 200

    clinic_services.doctor_act(doctor=doctor.doctor_profile, action=action, by=hospital_admin)

    assert fetch(client, token).status_code == 404
    assert not CalendarFeed.objects.get(owner=doctor).is_on  # unblocked: a new address


def test_blocking_a_doctor_says_their_feed_is_turned_off(client_for, doctor, hospital_admin):
    services.calendar_feed_enable(owner=doctor)
    url = reverse("clinic:doctor-action", args=[doctor.doctor_profile.pk, "block"])

    html = client_for(hospital_admin).get(url).content.decode()

    assert "Their calendar subscription is turned off" in html


def test_a_feed_whose_owner_can_no_longer_sign_in_stops_and_the_refusal_is_logged(client, doctor):
    token = services.calendar_feed_enable(owner=doctor)
    doctor.is_active = False  # e.g. suspended in Django admin, not through the block action
    doctor.save()

    assert fetch(client, token).status_code == 404
    refused = AccessLogEntry.objects.get(object_type="calendar_feed")
    assert (refused.actor, refused.outcome) == (doctor, "denied")


def test_a_deactivated_patients_feed_stops(client, jane):
    token = services.calendar_feed_enable(owner=jane.user)

    clinic_services.patient_set_active(patient=jane, active=False)

    assert fetch(client, token).status_code == 404


# --- Rate limit and cost --------------------------------------------------------------------


def test_too_many_fetches_of_one_address_get_429_with_retry_after(client, jane, settings):
    settings.HMS_CALENDAR_FEED_FETCHES_PER_MINUTE = 2
    token = services.calendar_feed_enable(owner=jane.user)
    other = services.calendar_feed_enable(owner=PatientFactory().user)

    answers = [fetch(client, token).status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    refused = fetch(client, token)
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert fetch(client, other).status_code == 200  # counted per address


@pytest.mark.parametrize("owner", ["patient", "doctor"])
@pytest.mark.parametrize("rows", [2, 30])
def test_a_fetch_costs_the_same_queries_whatever_the_rows(
    client, django_assert_num_queries, open_doctor, jane, owner, rows
):
    now = timezone.now()
    for n in range(rows):
        start = now + timedelta(days=n % 20, hours=n)
        AppointmentFactory(doctor=open_doctor, patient=jane, start=start)
    token = services.calendar_feed_enable(
        owner=jane.user if owner == "patient" else open_doctor.user
    )

    # feed row, version aggregate, last fetched, access log, the rows
    with django_assert_num_queries(5):
        response = fetch(client, token)
    assert len(events(response)) == rows
    # an unchanged feed: no rows read, whether the app asks "if changed" or not
    with django_assert_num_queries(4):
        assert fetch(client, token, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    with django_assert_num_queries(4):
        assert fetch(client, token).content == response.content


def test_the_emailed_single_event_is_built_by_icalendar_too(booked, settings):
    from scheduling.tasks import ics_for

    settings.HOSPITAL_ADDRESS = "Wing B; 1 Health Street, Springfield"
    text = ics_for(booked, method="REQUEST")

    calendar = icalendar.Calendar.from_ical(text)
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"appointment-{booked.pk}@hms"
    assert str(event["LOCATION"]) == f"{settings.HOSPITAL_NAME}, {settings.HOSPITAL_ADDRESS}"
    assert event.decoded("DTSTART") == booked.start


def test_an_open_appointment_downloads_as_one_calendar_event(client, patient, open_doctor):
    """The appointment page's "Add to calendar": the booking e-mail's event, as a file."""
    appointment = AppointmentFactory(patient=patient.patient_profile, doctor=open_doctor)
    client.force_login(patient)
    page = client.get(reverse("scheduling:appointment-detail", args=[appointment.pk]))
    url = reverse("scheduling:appointment-ics", args=[appointment.pk])
    assert url in page.text
    response = client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == appointment.start
    assert open_doctor.display_name in str(event["summary"])

    appointment.status = appointment.Status.CANCELLED
    appointment.save()
    assert client.get(url).status_code == 404
    assert (
        url not in client.get(reverse("scheduling:appointment-detail", args=[appointment.pk])).text
    )


def test_a_doctor_renamed_on_their_user_reaches_the_feed_and_the_directory(
    client, jane, booked, django_capture_on_commit_callbacks
):
    """A rename made on the user row (Django admin's user page) is not a clinic service call:
    the directory's cache and the feed's ETag follow it all the same."""
    token = services.calendar_feed_enable(owner=jane.user)
    first = fetch(client, token)
    client.force_login(jane.user)
    assert "Dr Renamed" not in client.get(reverse("clinic:directory")).text

    user = booked.doctor.user
    with django_capture_on_commit_callbacks(execute=True):
        user.first_name = "Renamed"
        user.save()

    client.logout()
    again = fetch(client, token, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    event = events(again)[uid(booked)]
    assert "Renamed" in str(event["SUMMARY"]) + str(event.get("DESCRIPTION", ""))
    client.force_login(jane.user)
    assert "Dr Renamed" in client.get(reverse("clinic:directory")).text


def test_a_sign_in_does_not_empty_the_directory_cache(doctor):
    from clinic.selectors import DIRECTORY
    from hms.lib import cached

    before = cached.token(DIRECTORY)
    doctor.last_login = timezone.now()
    doctor.save(update_fields=["last_login"])
    assert cached.token(DIRECTORY) == before
