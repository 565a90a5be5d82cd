"""Phone numbers people really have: typed in any usual way, stored in E.164, shown grouped."""

import pytest
from django.urls import reverse

from clinic.models import Patient
from clinic.tests.factories import PatientFactory
from clinic.tests.test_patients import VALID

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("+44 7911 654321", "+447911654321", "+44 7911 654321"),  # UK mobile, new block
        ("07911 654321", "+447911654321", "+44 7911 654321"),  # the same, national format
        ("07700 900123", "+447700900123", "+44 7700 900123"),  # UK mobile (Ofcom drama range)
        ("020 7946 0991", "+442079460991", "+44 20 7946 0991"),  # London landline
        ("+91 98765 43210", "+919876543210", "+91 98765 43210"),  # Indian mobile
        ("+91-9812345678", "+919812345678", "+91 98123 45678"),
        ("+1 (415) 555-2671", "+14155552671", "+1 415-555-2671"),  # US
        ("+33 6 12 34 56 78", "+33612345678", "+33 6 12 34 56 78"),  # French mobile
    ],
)
def test_patient_saves_a_real_phone_number_in_any_usual_format(
    client, hospital_admin, typed, stored, shown
):
    patient = PatientFactory(phone="")
    client.force_login(patient.user)

    response = client.post(reverse("clinic:my-profile"), {**VALID, "phone": typed})

    assert response.status_code == 302, response.context["form"].errors
    assert Patient.objects.values_list("phone", flat=True).get(pk=patient.pk) == stored
    client.force_login(hospital_admin)
    detail = client.get(reverse("clinic:patient-detail", args=[patient.pk])).content.decode()
    assert f'<a href="tel:{stored}">{shown}</a>' in detail


@pytest.mark.parametrize(
    "typed",
    ["12345", "+44 7911 65432", "0000 000000", "+1 123 555 2671", "+999 1234567", "call me"],
)
def test_a_number_no_country_uses_is_refused_next_to_the_field(client, typed):
    patient = PatientFactory(phone="+447911123456")
    client.force_login(patient.user)

    response = client.post(reverse("clinic:my-profile"), {**VALID, "phone": typed})

    assert response.status_code == 200
    assert "Enter a valid phone number" in response.context["form"].errors["phone"][0]
    assert Patient.objects.values_list("phone", flat=True).get(pk=patient.pk) == "+447911123456"


def test_a_patient_keeps_the_number_on_file_when_saving_other_changes(client):
    patient = PatientFactory(phone="+447911654321", emergency_contact_phone="+447911654322")
    client.force_login(patient.user)
    form = client.get(reverse("clinic:my-profile")).context["form"]
    data = {**VALID, "phone": form["phone"].value(), "allergies": "Latex"}
    data["emergency_contact_phone"] = form["emergency_contact_phone"].value()

    response = client.post(reverse("clinic:my-profile"), data)

    assert response.status_code == 302, response.context["form"].errors
    patient.refresh_from_db()
    assert patient.allergies == "Latex" and patient.phone.as_e164 == "+447911654321"


def test_staff_see_the_phone_as_a_link_to_call(client, hospital_admin):
    patient = PatientFactory(phone="+919876543210")
    client.force_login(hospital_admin)

    html = client.get(reverse("clinic:patient-detail", args=[patient.pk])).content.decode()

    assert '<a href="tel:+919876543210">+91 98765 43210</a>' in html
