from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import Doctor
from clinic.tests.factories import DepartmentFactory, DoctorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browse(client, patient):
    client.force_login(patient)
    return client


@pytest.fixture
def hospital(db):
    cardio = DepartmentFactory(name="Cardiology")
    derm = DepartmentFactory(name="Dermatology")
    return {
        "cardio": cardio,
        "derm": derm,
        "hale": DoctorFactory(
            department=cardio,
            user__first_name="Gregory",
            user__last_name="Hale",
            specialization="Heart failure",
        ),
        "chen": DoctorFactory(department=derm, user__first_name="Lin", user__last_name="Chen"),
        "pending": DoctorFactory(department=cardio, status=Doctor.Status.PENDING),
        "blocked": DoctorFactory(department=cardio, status=Doctor.Status.BLOCKED),
        "removed": DoctorFactory(department=derm, removed_at=timezone.now()),
    }


def _names(response):
    return [d["name"] for d in response.context["page"]]


def test_directory_lists_only_bookable_doctors(browse, hospital):
    response = browse.get(reverse("clinic:directory"))
    assert _names(response) == ["Dr Lin Chen", "Dr Gregory Hale"]
    counts = {d["name"]: d["doctor_count"] for d in response.context["departments"]}
    assert counts == {"Cardiology": 1, "Dermatology": 1}


def test_browse_by_department(browse, hospital):
    response = browse.get(reverse("clinic:directory"), {"department": hospital["cardio"].pk})
    assert _names(response) == ["Dr Gregory Hale"]
    assert response.context["current_department"]["name"] == "Cardiology"


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("hale", ["Dr Gregory Hale"]),
        ("heart fail", ["Dr Gregory Hale"]),
        ("dermat", ["Dr Lin Chen"]),
        ("  LIN   chen ", ["Dr Lin Chen"]),
        ("zzz", []),
    ],
)
def test_search_by_name_department_or_specialization(browse, hospital, q, expected):
    assert _names(browse.get(reverse("clinic:directory"), {"q": q})) == expected


def test_a_nonsense_department_parameter_is_ignored(browse, hospital):
    assert len(_names(browse.get(reverse("clinic:directory"), {"department": "x"}))) == 2


def test_doctor_page_shows_the_profile(browse, hospital):
    response = browse.get(reverse("clinic:directory-doctor", args=[hospital["hale"].pk]))
    html = response.content.decode()
    assert "Dr Gregory Hale" in html and "Heart failure" in html and "Cardiology" in html


@pytest.mark.parametrize("which", ["pending", "blocked", "removed"])
def test_patients_get_404_for_doctors_that_are_not_bookable(browse, hospital, which):
    url = reverse("clinic:directory-doctor", args=[hospital[which].pk])
    assert browse.get(url).status_code == 404


def test_a_pending_doctor_can_see_their_own_directory_page(client, hospital):
    client.force_login(hospital["pending"].user)
    url = reverse("clinic:directory-doctor", args=[hospital["pending"].pk])
    assert client.get(url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_changes_show_in_the_cached_directory_at_once(client, hospital_admin, patient):
    cardio = DepartmentFactory(name="Cardiology")
    hale = DoctorFactory(department=cardio, user__first_name="Gregory", user__last_name="Hale")
    client.force_login(patient)
    url = reverse("clinic:directory")
    assert _names(client.get(url)) == ["Dr Gregory Hale"]  # now cached

    client.force_login(hospital_admin)
    client.post(
        reverse("clinic:department-edit", args=[cardio.pk]),
        {"name": "Heart Centre", "is_active": "on"},
    )
    client.post(
        reverse("clinic:doctor-edit", args=[hale.pk]),
        {
            "first_name": "Greg",
            "last_name": "Hale",
            "department": cardio.pk,
            "qualifications": "MBBS",
            "experience_years": "4",
            "slot_minutes": "30",
        },
    )
    client.force_login(patient)
    response = client.get(url)

    assert _names(response) == ["Dr Greg Hale"]
    assert [d["name"] for d in response.context["departments"]] == ["Heart Centre"]
    assert response.context["page"][0]["department"] == "Heart Centre"


@pytest.mark.parametrize(("currency", "shown"), [("GBP", "£1,250.00"), ("CHF", "CHF 1,250.00")])
def test_fees_are_shown_in_the_hospital_currency(client, patient, settings, currency, shown):
    settings.HOSPITAL_CURRENCY = currency
    doctor = DoctorFactory(consultation_fee=Decimal("1250.00"))
    client.force_login(patient)

    page = client.get(reverse("clinic:directory-doctor", args=[doctor.pk])).content.decode()

    assert f'Consultation fee</dt><dd class="col-sm-8">{shown}</dd>' in page
