"""The booking picker as a patient uses it: switching dates, keyboard focus, repeat bookings."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling.models import Appointment
from scheduling.slots import Slot
from scheduling.tests.conftest import next_weekday_slot

pytestmark = pytest.mark.django_db

REASON = "Chest pain when climbing stairs"


def key(start):
    return Slot(start, start).key


def book_url(doctor, query=""):
    return reverse("scheduling:book", args=[doctor.pk]) + query


def test_date_buttons_submit_the_typed_fields_without_javascript(client, patient, open_doctor):
    client.force_login(patient)
    other_day = timezone.localdate() + timedelta(days=3)

    page = client.get(book_url(open_doctor)).content.decode()
    # Each date is a submit button of the booking form itself, so the reason travels with it.
    picker = page[page.index('<div id="picker">') :]
    form = picker[: picker.index("</form>")]
    assert f'name="show_date" value="{other_day.isoformat()}"' in form
    assert 'name="reason"' in form

    response = client.post(
        book_url(open_doctor), {"show_date": other_day.isoformat(), "reason": REASON}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["day"] == other_day
    assert f">\n{REASON}</textarea>" in html
    assert "alert-danger" not in html  # a date switch is not a failed booking
    assert not Appointment.objects.exists()


def test_enter_in_the_form_books_rather_than_switching_dates(client, patient, open_doctor):
    page = client.force_login(patient) or client.get(book_url(open_doctor)).content.decode()
    form = page[page.index('<div id="picker">') :]
    # Implicit submission (Enter on a time) clicks the form's first submit button.
    first_button = form[form.index("<button") : form.index("</button>")]
    assert 'type="submit"' in first_button and "name=" not in first_button


def test_the_reason_typed_before_a_date_switch_is_saved(client, patient, open_doctor):
    client.force_login(patient)
    start = next_weekday_slot(11, days_ahead=3)
    switched = client.post(
        book_url(open_doctor), {"show_date": timezone.localdate(start), "reason": REASON}
    )
    assert key(start) in dict(switched.context["form"].fields["slot"].choices)

    client.post(book_url(open_doctor), {"slot": key(start), "reason": REASON})

    assert Appointment.objects.get().reason == REASON


def test_htmx_date_switch_leaves_the_typed_fields_alone(client, patient, open_doctor):
    client.force_login(patient)
    day = timezone.localdate() + timedelta(days=3)
    response = client.get(
        book_url(open_doctor, f"?date={day.isoformat()}"), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    # Only the dates and the day's times are swapped: the reason field is not in the answer,
    # so what the patient typed there stays on the page.
    assert "Free times on" in html and 'name="slot"' in html
    assert 'name="reason"' not in html and "<form" not in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client, patient, open_doctor):
    client.force_login(patient)
    response = client.get(
        book_url(open_doctor),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert '<nav class="navbar' in response.content.decode()


def test_a_date_switch_while_rescheduling_moves_nothing(client, patient, open_doctor):
    client.force_login(patient)
    start = next_weekday_slot(10)
    appointment = Appointment.objects.create(
        doctor=open_doctor,
        patient=patient.patient_profile,
        start=start,
        end=start + timedelta(minutes=30),
        booked_by=patient,
    )
    other_day = timezone.localdate(start) + timedelta(days=1)
    url = reverse("scheduling:reschedule", args=[appointment.pk])

    response = client.post(
        url, {"show_date": other_day.isoformat(), "slot": key(start + timedelta(days=1))}
    )

    assert response.status_code == 200 and response.context["day"] == other_day
    appointment.refresh_from_db()
    assert appointment.status == "booked" and Appointment.objects.count() == 1


def test_after_a_date_switch_focus_goes_to_the_days_times_and_they_are_announced(
    client, patient, open_doctor
):
    client.force_login(patient)
    day = timezone.localdate() + timedelta(days=3)  # 09:00-17:00: 16 half-hour slots
    announce = f'data-announce="16 free times on {day:%A} {day.day} {day:%B}"'

    page = client.get(book_url(open_doctor)).content.decode()
    assert '<p id="picker-status" class="visually-hidden" role="status" aria-live="polite">' in page
    assert "js/slot_picker" in page  # moves focus to #slot-list and fills the status after htmx

    fragment = client.get(
        book_url(open_doctor, f"?date={day.isoformat()}"), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'id="slot-list" tabindex="-1"' in fragment and announce in fragment
    assert "autofocus" not in fragment

    # Without JavaScript the page comes back with the day's times focused.
    no_js = client.post(book_url(open_doctor), {"show_date": day.isoformat()}).content.decode()
    assert 'id="slot-list" tabindex="-1" autofocus' in no_js
