import pytest
from django.db.models import ProtectedError

from accounts.tests.factories import UserFactory
from clinic.tests.factories import DepartmentFactory, DoctorFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_users_with_a_clinic_profile_cannot_be_deleted():
    doctor, patient = DoctorFactory(), PatientFactory()
    for user in (doctor.user, patient.user):
        with pytest.raises(ProtectedError):
            user.delete()


def test_a_department_with_doctors_cannot_be_deleted_even_directly():
    department = DepartmentFactory()
    DoctorFactory(department=department)
    with pytest.raises(ProtectedError):
        department.delete()


def test_django_admin_offers_no_delete_for_doctors_and_patients(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    doctor, patient = DoctorFactory(), PatientFactory()

    assert client.get(f"/admin/clinic/doctor/{doctor.pk}/delete/").status_code == 403
    assert client.get(f"/admin/clinic/patient/{patient.pk}/delete/").status_code == 403
    listing = client.get("/admin/clinic/doctor/")
    assert listing.status_code == 200
    assert doctor.user.email.encode() in listing.content
