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


@pytest.fixture
def morning_visit(patient, open_doctor):
    start = next_weekday_slot(10)
    return Appointment.objects.create(
        doctor=open_doctor,
        patient=patient.patient_profile,
        start=start,
        end=start + timedelta(minutes=30),
        booked_by=patient,
    )


def test_a_second_visit_to_the_same_doctor_that_day_asks_first(
    client, patient, open_doctor, morning_visit
):
    client.force_login(patient)
    afternoon = next_weekday_slot(14)

    response = client.post(book_url(open_doctor), {"slot": key(afternoon), "reason": REASON})

    html = response.content.decode()
    question = (
        f"You already have an appointment with {open_doctor.display_name} at 10:00 on that day."
        " Book another?"
    )
    assert question in html
    assert 'name="confirm_same_day" value="1"' in html
    assert f'value="{key(afternoon)}" autocomplete="off" checked' in html  # the choice is kept
    assert f">\n{REASON}</textarea>" in html
    assert Appointment.objects.count() == 1  # nothing saved without confirming

    confirmed = client.post(
        book_url(open_doctor), {"slot": key(afternoon), "reason": REASON, "confirm_same_day": "1"}
    )

    assert confirmed.status_code == 302
    assert Appointment.objects.filter(start=afternoon, reason=REASON).exists()


def test_no_question_for_another_day_another_doctor_or_a_cancelled_visit(
    client, patient, open_doctor, other_doctor, morning_visit
):
    client.force_login(patient)
    next_day = next_weekday_slot(14, days_ahead=3)
    assert client.post(book_url(open_doctor), {"slot": key(next_day)}).status_code == 302

    colleague = other_doctor.doctor_profile
    colleague.working_hours.create(
        weekday=morning_visit.start.weekday(), start="09:00", end="17:00"
    )
    afternoon = next_weekday_slot(15)
    assert client.post(book_url(colleague), {"slot": key(afternoon)}).status_code == 302

    morning_visit.status = Appointment.Status.CANCELLED
    morning_visit.save()
    later = next_weekday_slot(16)
    assert client.post(book_url(open_doctor), {"slot": key(later)}).status_code == 302
    assert Appointment.objects.count() == 4


def test_staff_are_asked_in_the_patients_name(
    client, hospital_admin, patient, open_doctor, morning_visit
):
    client.force_login(hospital_admin)
    profile = patient.patient_profile
    response = client.post(
        book_url(open_doctor), {"slot": key(next_weekday_slot(14)), "for": profile.pk}
    )
    assert f"{profile} already has an appointment with" in response.content.decode()
    assert Appointment.objects.count() == 1
