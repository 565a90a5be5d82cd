"""Today's queue (/scheduling/queue/): contents, grouping, counts, filters, waiting times, each
button, booking a doctor's next free slot, the polling fragment and its query count."""

from datetime import date, time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.tests.factories import DepartmentFactory, PatientFactory
from scheduling.models import Appointment, AppointmentEvent
from scheduling.tests.conftest import local_time, visit_at
from scheduling.tests.factories import AppointmentFactory, doctor_with_hours

pytestmark = pytest.mark.django_db
QUEUE = reverse("scheduling:queue")
Status = Appointment.Status


@pytest.fixture
def day(clock):
    """Two doctors' day: Dr Adams (Cardiology) with one visit of each status and one later
    today, Dr Brown (Dermatology) with one; a cancelled visit and tomorrow's are not in it."""
    d = clock.day
    adams = doctor_with_hours(
        start=time(9), end=time(17), user__last_name="Adams",
        department=DepartmentFactory(name="Cardiology"),
    )  # fmt: skip
    brown = doctor_with_hours(
        start=time(9), end=time(17), user__last_name="Brown",
        department=DepartmentFactory(name="Dermatology"),
    )  # fmt: skip
    rows = {
        "late": visit_at(adams, d, 9, user__last_name="Late", allergies="Penicillin"),
        "waiting": visit_at(adams, d, 9, 30, Status.CHECKED_IN, user__last_name="Waits"),
        "done": visit_at(adams, d, 10, 0, Status.COMPLETED, user__last_name="Done"),
        "missed": visit_at(adams, d, 10, 30, Status.NO_SHOW, user__last_name="Missed"),
        "later": visit_at(adams, d, 12, user__last_name="Later"),
        "cancelled": visit_at(adams, d, 13, 0, Status.CANCELLED, user__last_name="Cancelled"),
        "tomorrow": visit_at(adams, d + timedelta(days=1), 9, user__last_name="Tomorrow"),
        "skin": visit_at(brown, d, 9, user__last_name="Skin"),
    }
    AppointmentEvent.objects.create(
        appointment=rows["waiting"], action="check_in", from_status="booked",
        to_status="checked_in", at=local_time(d, 10, 48),
    )  # fmt: skip
    return {"adams": adams, "brown": brown, **rows}


def _patients(response) -> list[list[str]]:
    return [
        [row["a"].patient.user.last_name for row in g["rows"]] for g in response.context["groups"]
    ]


def test_the_queue_lists_todays_visits_grouped_by_doctor_in_time_order(client, front_desk, day):
    client.force_login(front_desk)

    response = client.get(QUEUE)

    assert [g["doctor"] for g in response.context["groups"]] == [day["adams"], day["brown"]]
    assert _patients(response) == [["Late", "Waits", "Done", "Missed", "Later"], ["Skin"]]
    html = response.content.decode()
    assert "Cancelled" not in html and "Tomorrow" not in html
    assert "Dr" in html and "Cardiology" in html and "Dermatology" in html


def test_each_row_shows_the_age_the_allergy_flag_and_the_wait_since_check_in(
    client, front_desk, day
):
    client.force_login(front_desk)

    html = client.get(QUEUE).content.decode()

    age = day["late"].patient.age
    assert f"{age} y" in html
    assert "Allergies: Penicillin" in html
    assert "waiting 12 min" in html  # checked in at 10:48, now 11:00


def test_the_counts_on_top(client, front_desk, day):
    client.force_login(front_desk)

    response = client.get(QUEUE)

    assert response.context["counts"] == {
        "expected": 6, "arrived": 2, "waiting": 1, "done": 1, "no_show": 1,
    }  # fmt: skip
    assert ("Waiting", 1) in response.context["counts_shown"]


def test_the_queue_filters_by_doctor_and_by_department(client, front_desk, day):
    client.force_login(front_desk)

    by_doctor = client.get(QUEUE, {"doctor": day["brown"].pk})
    by_department = client.get(QUEUE, {"department": day["adams"].department_id})

    assert _patients(by_doctor) == [["Skin"]]
    assert by_doctor.context["counts"]["expected"] == 1
    assert _patients(by_department) == [["Late", "Waits", "Done", "Missed", "Later"]]


def _buttons(response, appointment) -> list[str]:
    for group in response.context["groups"]:
        for row in group["rows"]:
            if row["a"].pk == appointment.pk:
                return [action for action, _ in row["actions"]]
    raise AssertionError("not in the queue")


def test_no_show_is_offered_only_after_the_start_and_each_open_row_can_be_cancelled(
    client, front_desk, day
):
    client.force_login(front_desk)

    response = client.get(QUEUE)

    assert _buttons(response, day["late"]) == ["check_in", "no_show", "cancel"]
    assert _buttons(response, day["later"]) == ["check_in", "cancel"]
    assert _buttons(response, day["waiting"]) == ["cancel"]
    assert _buttons(response, day["done"]) == []
    cancel = reverse("scheduling:appointment-cancel", args=[day["later"].pk])
    assert f'href="{cancel}"' in response.content.decode()


def test_check_in_from_the_queue_goes_through_the_service_and_back_to_the_queue(
    client, front_desk, day, clock
):
    client.force_login(front_desk)
    url = reverse("scheduling:appointment-action", args=[day["later"].pk, "check_in"])

    response = client.post(url, {"next": QUEUE + f"?doctor={day['adams'].pk}"})

    assert response.url == QUEUE + f"?doctor={day['adams'].pk}"
    event = day["later"].events.get()
    assert (event.action, event.actor, event.to_status) == ("check_in", front_desk, "checked_in")
    clock.shift(timedelta(minutes=5))
    html = client.get(QUEUE).content.decode()
    assert "waiting 5 min" in html


def test_no_show_from_the_queue(client, front_desk, day):
    client.force_login(front_desk)
    url = reverse("scheduling:appointment-action", args=[day["late"].pk, "no_show"])

    client.post(url, {"next": QUEUE})

    day["late"].refresh_from_db()
    assert day["late"].status == Status.NO_SHOW
    assert day["late"].events.get().actor == front_desk


def test_a_check_in_that_lost_the_race_says_so_kindly(client, front_desk, hospital_admin, day):
    url = reverse("scheduling:appointment-action", args=[day["later"].pk, "check_in"])
    client.force_login(hospital_admin)
    client.post(url, {"next": QUEUE})
    client.force_login(front_desk)

    response = client.post(url, {"next": QUEUE})

    assert response.url == QUEUE
    message = [str(m) for m in get_messages(response.wsgi_request)][-1]
    assert message == "This appointment is checked in: you cannot check the patient in."
    assert day["later"].events.count() == 1


def test_polling_gets_the_queue_body_alone_and_the_page_works_without_javascript(
    client, front_desk, day
):
    client.force_login(front_desk)
    url = QUEUE + f"?doctor={day['adams'].pk}"

    page = client.get(url).content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert "<html" in page and f'href="{url}"' in page  # the Refresh link, for no JavaScript
    assert 'hx-trigger="every 15s"' in page
    assert "<html" not in fragment and '<form method="get"' not in fragment
    assert fragment.lstrip().startswith('<div id="queue-body"')
    assert f'hx-get="{url}"' in fragment  # keeps polling the same filtered queue
    assert """hx-headers='{"X-HMS-Poll": "1"}'""" in fragment  # not activity: idle sign-out holds
    assert "Waits" in fragment and "Skin" not in fragment


def _count(client, headers=None) -> int:
    cache.clear()  # each count reads the permissions and the filter's choices afresh
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(QUEUE, headers=headers or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_queue(client, front_desk, day):
    client.force_login(front_desk)
    small = (_count(client), _count(client, {"HX-Request": "true"}))
    carter = doctor_with_hours(start=time(9), end=time(17), user__last_name="Carter")
    for hour in range(13, 17):
        for doctor in (day["adams"], day["brown"], carter):
            visit = visit_at(doctor, day["late"].start.date(), hour, allergies="Latex")
            visit.events.create(action="check_in", from_status="booked", to_status="booked")

    large = (_count(client), _count(client, {"HX-Request": "true"}))

    assert small == large
    # session, user, 2 permission reads and group names (the signed-in user: hms.auth),
    # departments and doctors for the filter (all cached between requests; read here as the
    # cache was cleared), and the queue itself: one query.
    assert large == (8, 8)


# --- Book a doctor's next free slot today -----------------------------------------------------


def test_book_next_free_slot_shows_the_time_and_books_it_after_confirmation(
    client, front_desk, day
):
    client.force_login(front_desk)
    url = reverse("scheduling:queue-book", args=[day["brown"].pk])
    walk_in = PatientFactory(user__email="walk.in@example.com")

    page = client.get(url)
    slot = page.context["slot"]
    response = client.post(url, {"slot": slot.key, "patient": "WALK.IN@example.com"})

    assert timezone.localtime(slot.start).hour == 12  # 11:00 now, one hour's notice
    assert response.url == QUEUE + f"?doctor={day['brown'].pk}"
    booked = Appointment.objects.get(patient=walk_in)
    assert (booked.doctor, booked.start, booked.booked_by) == (day["brown"], slot.start, front_desk)
    assert booked.events.get().action == "booked"


def test_book_next_free_slot_with_an_unknown_patient_says_so_next_to_the_field(
    client, front_desk, day
):
    client.force_login(front_desk)
    url = reverse("scheduling:queue-book", args=[day["brown"].pk])
    slot = client.get(url).context["slot"]
    before = Appointment.objects.count()

    response = client.post(url, {"slot": slot.key, "patient": "nobody@example.com"})

    assert response.status_code == 200
    assert response.context["form"].errors["patient"] == [
        "No patient matches “nobody@example.com”: check it, or register the patient first."
    ]
    assert 'aria-invalid="true"' in response.content.decode()
    assert Appointment.objects.count() == before


def test_book_next_free_slot_taken_meanwhile_offers_the_next_one(client, front_desk, day):
    client.force_login(front_desk)
    url = reverse("scheduling:queue-book", args=[day["brown"].pk])
    walk_in = PatientFactory(user__email="walk.in@example.com")
    slot = client.get(url).context["slot"]
    AppointmentFactory(doctor=day["brown"], start=slot.start, end=slot.end)  # someone was faster

    response = client.post(url, {"slot": slot.key, "patient": walk_in.user.email})

    assert response.status_code == 200
    assert "That time was just taken" in response.content.decode()
    assert response.context["slot"].start == slot.start + timedelta(minutes=30)
    assert not Appointment.objects.filter(patient=walk_in).exists()


def test_book_next_free_slot_for_a_patient_busy_at_that_time(client, front_desk, day):
    client.force_login(front_desk)
    url = reverse("scheduling:queue-book", args=[day["brown"].pk])
    slot = client.get(url).context["slot"]
    busy = day["later"].patient  # with Dr Adams at 12:00

    response = client.post(url, {"slot": slot.key, "patient": busy.user.email})

    assert response.context["form"].errors["patient"] == [
        "The patient already has an appointment at this time."
    ]
    assert busy.appointments.count() == 1


def test_book_next_free_slot_for_a_walk_in_without_e_mail_found_by_phone(client, front_desk, day):
    client.force_login(front_desk)
    url = reverse("scheduling:queue-book", args=[day["brown"].pk])
    walk_in = PatientFactory(user__email=None, phone="+447700900555")
    slot = client.get(url).context["slot"]

    response = client.post(url, {"slot": slot.key, "patient": "07700 900555"})

    assert response.status_code == 302
    assert Appointment.objects.get(patient=walk_in).start == slot.start


def test_book_next_free_slot_asks_to_tell_namesakes_apart(client, front_desk, day):
    client.force_login(front_desk)
    url = reverse("scheduling:queue-book", args=[day["brown"].pk])
    for born in (date(1980, 3, 14), date(1975, 2, 2)):
        PatientFactory(user__first_name="Amara", user__last_name="Okafor", date_of_birth=born)
    slot = client.get(url).context["slot"]
    before = Appointment.objects.count()

    response = client.post(url, {"slot": slot.key, "patient": "amara okafor"})

    [error] = response.context["form"].errors["patient"]
    assert error.startswith("Several patients match (Amara Okafor, born ")
    assert "born 14/03/1980" in error and "born 02/02/1975" in error
    assert error.endswith("add the date of birth or phone.")
    assert Appointment.objects.count() == before

    response = client.post(url, {"slot": slot.key, "patient": "14/03/1980"})

    assert response.status_code == 302
    assert Appointment.objects.get(patient__date_of_birth=date(1980, 3, 14)).start == slot.start


@pytest.mark.parametrize(
    ("choice", "expected"),
    [({}, "brown"), ({"department": "Cardiology"}, "adams"), ({"doctor": "adams"}, "adams")],
    ids=["hospital", "department", "doctor"],
)
def test_next_free_slot_today_for_the_hospital_a_department_or_a_doctor(
    client, front_desk, day, choice, expected
):
    """At 11:00 with an hour's notice: Dr Brown is free at 12:00, Dr Adams (booked at 12:00)
    at 12:30."""
    client.force_login(front_desk)
    query = {}
    if "department" in choice:
        query["department"] = day["adams"].department_id
    if "doctor" in choice:
        query["doctor"] = day["adams"].pk

    response = client.get(reverse("scheduling:queue-book-first"), query)

    assert response.url == reverse("scheduling:queue-book", args=[day[expected].pk])


def test_next_free_slot_today_when_nobody_is_free_says_so(client, front_desk, day, clock):
    clock.shift(timedelta(hours=5, minutes=30))  # 16:30: nothing left with an hour's notice
    client.force_login(front_desk)

    response = client.get(
        reverse("scheduling:queue-book-first"), {"department": day["brown"].department_id}
    )

    assert response.status_code == 302 and response.url.startswith(QUEUE + "?department=")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "No doctor of this choice has free time left today."
    ]
