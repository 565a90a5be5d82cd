import pytest

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


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
