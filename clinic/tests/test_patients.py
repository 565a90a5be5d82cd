import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from clinic.models import Patient
from clinic.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Ravi",
    "last_name": "Kumar",
    "gender": "male",
    "date_of_birth": "1979-03-02",
    "phone": "07911 123456",
    "address": "12 Elm Road",
    "emergency_contact_name": "Anita Kumar",
    "emergency_contact_phone": "+44 7911 123457",
    "blood_group": "B+",
    "height_cm": "172",
    "weight_kg": "80.5",
    "allergies": "Penicillin",
    "chronic_conditions": "",
}


@pytest.fixture
def staff(client, hospital_admin):
    client.force_login(hospital_admin)
    return client


def test_admin_registers_a_patient_who_gets_an_invitation(
    staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("clinic:patient-create"), {**VALID, "email": "ravi@example.com"}
        )

    patient = Patient.objects.get(user__email="ravi@example.com")
    assert response.url == reverse("clinic:patient-detail", args=[patient.pk])
    assert patient.phone.as_e164 == "+447911123456"
    assert patient.bmi == Decimal("27.2")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ravi@example.com"]
    detail = staff.get(response.url).content.decode()
    assert "Penicillin" in detail and "27.2" in detail


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "date_of_birth",
            (date.today() + timedelta(days=2)).isoformat(),
            "cannot be in the future",
        ),
        ("date_of_birth", "1850-01-01", "more than 130 years ago"),
        ("height_cm", "20", "Height must be between 30 and 250 cm."),
        ("height_cm", "300", "Height must be between 30 and 250 cm."),
        ("weight_kg", "0", "Weight must be between 1 and 400 kg."),
        ("phone", "12345", "Enter a valid phone number"),
        ("phone", "", "This field is required."),
        ("emergency_contact_phone", "", "Add a phone number for this contact."),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(
    staff, field, value, message
):
    data = {**VALID, "email": "bad@example.com", field: value}

    response = staff.post(reverse("clinic:patient-create"), data)

    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert not User.objects.filter(email="bad@example.com").exists()
    # The error is rendered next to the field, and the field points to it for screen readers.
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert re.search(f'aria-invalid="true" aria-describedby="[^"]*id_{field}_error"', html)


def test_patient_completes_own_profile(client):
    user = PatientFactory(gender="", date_of_birth=None, phone="").user
    client.force_login(user)
    assert (
        "Please complete your profile" in client.get(reverse("clinic:my-profile")).content.decode()
    )

    response = client.post(reverse("clinic:my-profile"), VALID)

    assert response.url == reverse("clinic:my-profile")
    user.patient_profile.refresh_from_db()
    assert user.patient_profile.is_complete
    assert user.patient_profile.age == timezone.localdate().year - 1979 - (
        (timezone.localdate().month, timezone.localdate().day) < (3, 2)
    )


def test_deactivated_patient_cannot_sign_in_and_records_stay(staff, password):
    patient = PatientFactory(user__email="leaving@example.com")

    staff.post(reverse("clinic:patient-toggle", args=[patient.pk]))

    patient.refresh_from_db()
    assert not patient.is_active and not patient.user.is_active
    assert not Client().login(email="leaving@example.com", password=password)
    staff.post(reverse("clinic:patient-toggle", args=[patient.pk]))
    assert Client().login(email="leaving@example.com", password=password)


def test_staff_search_finds_patients_by_name_email_and_phone(staff):
    ravi = PatientFactory(user__first_name="Ravi", user__last_name="Kumar", phone="+447911123456")
    PatientFactory(user__first_name="Ana", user__last_name="Lima", user__email="ana@example.com")
    url = reverse("clinic:patient-list")

    def found(q):
        return [p.pk for p in staff.get(url, {"q": q}).context["page"]]

    assert found("ravi kum") == [ravi.pk]
    assert found("123456") == [ravi.pk]
    assert len(found("ana@example")) == 1
    assert found("nobody") == []


def test_patient_list_filters_inactive(staff):
    PatientFactory()
    inactive = PatientFactory(is_active=False)
    page = staff.get(reverse("clinic:patient-list"), {"active": "false"}).context["page"]
    assert list(page) == [inactive]


def test_staff_see_who_changed_a_patients_health_details(staff, patient, hospital_admin):
    url = reverse("clinic:patient-edit", args=[patient.patient_profile.pk])
    staff.post(url, {**VALID, "email": patient.email, "allergies": "Penicillin"})
    staff.post(url, {**VALID, "email": patient.email, "allergies": "Penicillin, latex"})

    page = staff.get(reverse("clinic:patient-detail", args=[patient.patient_profile.pk]))

    assert page.status_code == 200
    rows = page.context["changes"]
    assert rows[0]["version"].history_user == hospital_admin
    assert {"label": "allergies", "old": "Penicillin", "new": "Penicillin, latex"} in rows[0][
        "changes"
    ]
    assert "Penicillin, latex" in page.content.decode()


def test_deactivating_a_patient_asks_first(staff):
    patient = PatientFactory()
    url = reverse("clinic:patient-toggle", args=[patient.pk])
    assert (
        f'href="{url}"'
        in staff.get(reverse("clinic:patient-detail", args=[patient.pk])).content.decode()
    )

    page = staff.get(url).content.decode()

    assert f"Deactivate {patient}?" in page and "can no longer sign in" in page
    patient.refresh_from_db()
    assert patient.is_active
    staff.post(url)
    patient.refresh_from_db()
    assert not patient.is_active
