"""A search inside one department says what the other departments have for it."""

import pytest
from django.urls import reverse

from clinic.tests.factories import DepartmentFactory, DoctorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def neurology_and_cardiology(db):
    cardio = DepartmentFactory(name="Cardiology")
    neuro = DepartmentFactory(name="Neurology")
    DoctorFactory(department=cardio, specialization="Heart rhythm")
    DoctorFactory(department=cardio, specialization="Epilepsy and the heart")
    for _ in range(2):
        DoctorFactory(department=neuro, specialization="Epilepsy")
    return cardio, neuro


def test_nothing_found_in_the_department_offers_all_departments(
    client, patient, neurology_and_cardiology
):
    cardio, _ = neurology_and_cardiology
    client.force_login(patient)
    other = DepartmentFactory(name="Dermatology")
    DoctorFactory(department=other, specialization="Skin")

    response = client.get(reverse("clinic:directory"), {"q": "skin", "department": cardio.pk})

    html = response.content.decode()
    assert "No doctors in Cardiology match “skin”. 1 doctor matches in all departments." in html
    assert '<a class="btn btn-primary" href="?q=skin">Search all departments</a>' in html
    assert 'aria-describedby="directory-q-scope"' in html
    assert "Searches Cardiology only." in html


def test_results_in_the_department_say_how_many_all_departments_have(
    client, patient, neurology_and_cardiology
):
    cardio, _ = neurology_and_cardiology
    client.force_login(patient)

    response = client.get(reverse("clinic:directory"), {"q": "epilepsy", "department": cardio.pk})

    html = response.content.decode()
    assert "1 doctor in Cardiology matching “epilepsy”." in html
    assert '<a href="?q=epilepsy">Search all departments</a> (3 found there).' in html
    everywhere = client.get(reverse("clinic:directory"), {"q": "epilepsy"})
    assert everywhere.context["page"].paginator.count == 3


def test_staff_booking_for_a_patient_keep_the_patient_in_the_link(
    client, hospital_admin, patient, neurology_and_cardiology
):
    cardio, _ = neurology_and_cardiology
    client.force_login(hospital_admin)
    profile = patient.patient_profile
    response = client.get(
        reverse("clinic:directory"),
        {"q": "epilepsy", "department": cardio.pk, "for": profile.pk},
    )
    assert f'href="?q=epilepsy&amp;for={profile.pk}">Search all departments' in (
        response.content.decode()
    )


def test_no_hint_without_a_search_or_a_department(client, patient, neurology_and_cardiology):
    cardio, _ = neurology_and_cardiology
    client.force_login(patient)
    for params in ({"q": "epilepsy"}, {"department": cardio.pk}):
        html = client.get(reverse("clinic:directory"), params).content.decode()
        assert "Search all departments" not in html


def test_nothing_anywhere_says_so(client, patient, neurology_and_cardiology):
    cardio, _ = neurology_and_cardiology
    client.force_login(patient)
    html = client.get(
        reverse("clinic:directory"), {"q": "zzz", "department": cardio.pk}
    ).content.decode()
    assert "None in the other departments either" in html
    assert "Search all departments" not in html
