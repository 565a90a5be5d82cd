"""The doctor's Today page shows who is waiting now, in arrival (check-in) order."""

from datetime import timedelta

import pytest
from django.urls import reverse

from scheduling.models import Appointment
from scheduling.tests.conftest import local_time, visit_at

pytestmark = pytest.mark.django_db
TODAY = reverse("scheduling:doctor-day")


@pytest.fixture
def visits(clock, doctor):
    """Three patients of `doctor` today: the 09:30 one checked in at 10:40, the 10:00 one at
    10:20 (arrived first), the 10:30 one not yet."""
    d, profile = clock.day, doctor.doctor_profile
    rows = {
        "early": visit_at(profile, d, 9, 30, user__last_name="Second"),
        "first": visit_at(profile, d, 10, 0, user__last_name="First"),
        "absent": visit_at(profile, d, 10, 30, user__last_name="Absent"),
    }
    for key, hour, minute in (("first", 10, 20), ("early", 10, 40)):
        clock.move_to(local_time(d, hour, minute))
        rows[key].status = Appointment.Status.CHECKED_IN
        rows[key].save(update_fields=["status"])
        rows[key].events.create(action="check_in", from_status="booked", to_status="checked_in")
    clock.move_to(local_time(d, 11))
    return rows


def test_the_doctor_sees_who_is_waiting_in_arrival_order_with_waiting_times(client, doctor, visits):
    client.force_login(doctor)

    response = client.get(TODAY)

    waiting = response.context["waiting"]
    assert [w["a"].patient.user.last_name for w in waiting] == ["First", "Second"]
    assert [w["waiting"] for w in waiting] == [40, 20]
    html = response.content.decode()
    assert "Waiting now (2)" in html
    assert html.index("waiting 40 min") < html.index("waiting 20 min")


def test_a_patient_checked_in_by_the_front_desk_shows_up_waiting(
    client, doctor, front_desk, clock, visits
):
    client.force_login(front_desk)
    client.post(reverse("scheduling:appointment-action", args=[visits["absent"].pk, "check_in"]))
    clock.shift(timedelta(minutes=3))
    client.force_login(doctor)

    waiting = client.get(TODAY).context["waiting"]

    assert [(w["a"].pk, w["waiting"]) for w in waiting][-1] == (visits["absent"].pk, 3)


def test_no_waiting_panel_on_another_day_or_when_nobody_waits(client, doctor, clock, visits):
    client.force_login(doctor)
    tomorrow = (clock.day + timedelta(days=1)).isoformat()

    other_day = client.get(TODAY, {"date": tomorrow})
    for row in visits.values():
        row.status = Appointment.Status.COMPLETED
        row.save(update_fields=["status"])
    nobody = client.get(TODAY)

    assert other_day.context["waiting"] == [] and nobody.context["waiting"] == []
    assert "Waiting now" not in other_day.content.decode() + nobody.content.decode()
