"""Every scheduling URL x every role. A new scheduling URL without an expectation fails."""

import pytest
from django.urls import get_resolver, reverse

from scheduling import services
from scheduling.models import Holiday, Leave
from scheduling.tests.conftest import next_weekday_slot

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "patient", "other_patient", "doctor", "other_doctor", "hospital_admin"]
LOGIN = "login"


def roles(patient, other_patient, doctor, other_doctor, admin):
    return dict(
        zip(ROLES, [LOGIN, patient, other_patient, doctor, other_doctor, admin], strict=True)
    )


MATRIX = {
    # name: (method, object key, expectations by role)
    "book": ("get", "doctor", roles(200, 200, 403, 403, 403)),
    "next-slot": ("get", "doctor", roles(200, 200, 200, 200, 200)),
    "my-appointments": ("get", None, roles(200, 200, 200, 200, 403)),
    "doctor-day": ("get", None, roles(403, 403, 200, 200, 302)),  # staff: pick a doctor
    "doctor-week": ("get", None, roles(403, 403, 200, 200, 302)),
    "appointment-list": ("get", None, roles(403, 403, 403, 403, 302)),  # -> ?when=upcoming
    "appointment-bulk-cancel": ("post", None, roles(403, 403, 403, 403, 302)),
    "appointment-detail": ("get", "appointment", roles(200, 404, 200, 404, 200)),
    "appointment-cancel": ("get", "appointment", roles(200, 404, 200, 404, 200)),
    "reschedule": ("get", "appointment", roles(200, 404, 200, 404, 200)),
    "appointment-action": ("post", "appointment-check_in", roles(302, 404, 302, 404, 302)),
    "availability": ("get", None, roles(403, 403, 200, 200, 302)),
    "leave-add": ("get", None, roles(403, 403, 200, 200, 302)),
    "leave-delete": ("post", "leave", roles(403, 403, 302, 403, 302)),
    "slot-grid": ("get", None, roles(403, 403, 200, 200, 302)),
    "slot-toggle": ("post", None, roles(403, 403, 302, 302, 302)),
    "holidays": ("get", None, roles(403, 403, 403, 403, 200)),
    "holiday-delete": ("post", "holiday", roles(403, 403, 403, 403, 302)),
}


def test_every_scheduling_url_has_expectations():
    names = {
        n for n in get_resolver().namespace_dict["scheduling"][1].reverse_dict if isinstance(n, str)
    }
    assert names == set(MATRIX)


@pytest.fixture
def objects(patient, doctor, other_patient, other_doctor):
    profile = doctor.doctor_profile
    for weekday in range(7):
        profile.working_hours.create(weekday=weekday, start="09:00", end="17:00")
    appointment = services.appointment_book(
        patient=patient.patient_profile, doctor=profile, start=next_weekday_slot(10), by=patient
    )
    leave = Leave.objects.create(
        doctor=profile, start=next_weekday_slot(15), end=next_weekday_slot(16)
    )
    return {
        "doctor": [profile.pk],
        "appointment": [appointment.pk],
        "appointment-check_in": [appointment.pk, "check_in"],
        "leave": [leave.pk],
        "holiday": [Holiday.objects.create(date="2030-01-01", name="New Year").pk],
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_access(request, client, objects, url_name, role):
    method, key, expected_by_role = MATRIX[url_name]
    url = reverse(f"scheduling:{url_name}", args=objects[key] if key else None)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    response = getattr(client, method)(url)

    expected = expected_by_role[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == expected, (url, role)
