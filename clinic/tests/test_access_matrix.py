"""Every clinic URL x every role. A new clinic URL without an expectation fails the test."""

import pytest
from django.urls import get_resolver, reverse

from clinic.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "patient", "other_patient", "doctor", "other_doctor", "hospital_admin"]

# url name -> (method, args builder key, {role: expected status}); 302* = redirect to login
LOGIN = "login"
STAFF_ONLY = {
    "anonymous": LOGIN,
    "patient": 403,
    "other_patient": 403,
    "doctor": 403,
    "other_doctor": 403,
    "hospital_admin": 200,
}
STAFF_POST = {**STAFF_ONLY, "hospital_admin": 302}
MATRIX = {
    "directory": (
        "get",
        None,
        {**STAFF_ONLY, "patient": 200, "other_patient": 200, "doctor": 200, "other_doctor": 200},
    ),
    "directory-doctor": (
        "get",
        "doctor",
        {**STAFF_ONLY, "patient": 200, "other_patient": 200, "doctor": 200, "other_doctor": 200},
    ),
    # No photo uploaded: 404 to everyone allowed to ask.
    "doctor-photo": (
        "get",
        "doctor",
        {
            **STAFF_ONLY,
            "patient": 404,
            "other_patient": 404,
            "doctor": 404,
            "other_doctor": 404,
            "hospital_admin": 404,
        },
    ),
    "my-profile": (
        "get",
        None,
        {
            **STAFF_ONLY,
            "patient": 200,
            "other_patient": 200,
            "doctor": 200,
            "other_doctor": 200,
            "hospital_admin": 403,
        },
    ),
    "department-list": ("get", None, STAFF_ONLY),
    "department-create": ("get", None, STAFF_ONLY),
    "department-edit": ("get", "department", STAFF_ONLY),
    "department-toggle": ("post", "department", STAFF_POST),
    "department-delete": ("get", "department", STAFF_ONLY),
    "doctor-list": ("get", None, STAFF_ONLY),
    "doctor-create": ("get", None, STAFF_ONLY),
    "doctor-detail": ("get", "doctor", STAFF_ONLY),
    "doctor-edit": ("get", "doctor", STAFF_ONLY),
    "doctor-action": ("get", "doctor-block", STAFF_ONLY),
    "patient-list": ("get", None, STAFF_ONLY),
    "patient-create": ("get", None, STAFF_ONLY),
    "patient-detail": ("get", "patient", STAFF_ONLY),
    "patient-edit": ("get", "patient", STAFF_ONLY),
    "patient-toggle": ("post", "patient", STAFF_POST),
}


def test_every_clinic_url_has_expectations():
    names = {
        name
        for name in get_resolver().namespace_dict["clinic"][1].reverse_dict
        if isinstance(name, str)
    }
    assert names == set(MATRIX)


@pytest.fixture
def objects(patient, doctor):
    department = DepartmentFactory(name="Matrix")
    return {
        "department": [department.pk],
        "doctor": [doctor.doctor_profile.pk],
        "doctor-block": [doctor.doctor_profile.pk, "block"],
        "patient": [patient.patient_profile.pk],
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_access(request, client, objects, url_name, role):
    method, key, expected_by_role = MATRIX[url_name]
    url = reverse(f"clinic:{url_name}", args=objects[key] if key else None)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    response = getattr(client, method)(url)

    expected = expected_by_role[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == expected, (url, role)
