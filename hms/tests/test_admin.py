from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from records.models import AccessLogEntry
from records.tests.factories import VisitRecordFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.ignore_template_errors  # Django's read-only password widget reads a missing variable
def test_superuser_manages_users_in_django_admin(client, patient):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    changelist = client.get("/admin/accounts/user/?q=patient@example.com")

    assert changelist.status_code == 200
    assert b"patient@example.com" in changelist.content
    assert b"Patient" in changelist.content  # role column
    assert client.get(f"/admin/accounts/user/{patient.pk}/change/").status_code == 200


def test_signed_in_non_staff_gets_403_on_admin(client, hospital_admin):
    client.force_login(hospital_admin)
    assert client.get("/admin/login/").status_code == 403


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, email="root@example.com"))
    return client


def _log():
    return list(
        AccessLogEntry.objects.order_by("pk").values_list(
            "actor__email", "patient_id", "object_type", "action"
        )
    )


def test_superuser_reading_and_changing_a_patient_in_admin_is_in_the_access_log(
    superuser_client, patient
):
    profile = patient.patient_profile
    url = f"/admin/clinic/patient/{profile.pk}/change/"

    assert superuser_client.get("/admin/clinic/patient/").status_code == 200
    page = superuser_client.get(url)
    assert page.status_code == 200
    data = {
        k: v
        for k, v in page.context["adminform"].form.initial.items()
        if v is not None and k not in ("created", "updated")
    }
    data |= {"allergies": "Latex", "user": patient.pk, "phone": "+447911123456"}
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert _log() == [
        ("root@example.com", None, "patient_list", "view"),
        ("root@example.com", profile.pk, "patient_profile", "view"),
        ("root@example.com", profile.pk, "patient_profile", "change"),
    ]


def test_superuser_reading_a_visit_record_and_its_history_in_admin_is_logged(
    superuser_client, patient, doctor
):
    start = timezone.now() - timedelta(days=1)
    visit = AppointmentFactory(
        doctor=doctor.doctor_profile, patient=patient.patient_profile, start=start,
        end=start + timedelta(minutes=30), status=Appointment.Status.COMPLETED,
    )  # fmt: skip
    record = VisitRecordFactory(
        appointment=visit, patient=visit.patient, author=doctor, diagnosis="Flu"
    )

    superuser_client.get("/admin/records/visitrecord/")
    superuser_client.get(f"/admin/records/visitrecord/{record.pk}/change/")
    superuser_client.get(f"/admin/records/visitrecord/{record.pk}/history/")

    pid = patient.patient_profile.pk
    assert _log() == [
        ("root@example.com", None, "record_list", "view"),
        ("root@example.com", pid, "visit_record", "view"),
        ("root@example.com", pid, "visit_record", "view"),
    ]


@pytest.mark.ignore_template_errors  # simple-history's own template reads an undefined variable
def test_opening_an_earlier_version_of_a_patient_in_admin_is_logged(superuser_client, patient):
    profile = patient.patient_profile
    profile.allergies = "Latex"
    profile.save()
    version = profile.history.earliest("history_date")

    response = superuser_client.get(
        f"/admin/clinic/patient/{profile.pk}/history/{version.history_id}/"
    )

    assert response.status_code == 200
    assert _log() == [("root@example.com", profile.pk, "patient_profile", "view")]
