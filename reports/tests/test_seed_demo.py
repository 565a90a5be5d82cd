import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.roles import DOCTOR
from accounts.seed import DEMO_LOGINS, DEMO_PASSWORD, seed_bulk_users

pytestmark = pytest.mark.django_db


def test_seed_demo_prints_working_logins_and_is_idempotent(client, capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    out = capsys.readouterr().out
    for login in DEMO_LOGINS:
        assert login.email in out
        assert User.objects.filter(email=login.email).count() == 1
        assert client.login(email=login.email, password=DEMO_PASSWORD)
    assert DEMO_PASSWORD in out


def test_each_demo_login_lands_on_its_dashboard(client):
    call_command("seed_demo")
    expected = {
        "admin@example.com": "/dashboard/hospital/",
        "doctor@example.com": "/dashboard/doctor/",
        "patient@example.com": "/dashboard/patient/",
    }
    for email, dashboard in expected.items():
        client.logout()
        response = client.post(
            "/accounts/login/", {"login": email, "password": DEMO_PASSWORD}, follow=True
        )
        assert response.redirect_chain[-1][0] == dashboard


def test_bulk_users_are_added_once_with_their_role():
    assert seed_bulk_users(role=DOCTOR, count=30, email_prefix="bulk-doctor-", batch_size=7) == 30
    assert seed_bulk_users(role=DOCTOR, count=35, email_prefix="bulk-doctor-") == 5

    bulk = User.objects.filter(email__startswith="bulk-doctor-")
    assert bulk.count() == 35
    assert bulk.filter(groups__name=DOCTOR).count() == 35


def test_seed_fills_hours_holidays_and_appointments_in_every_status():
    from scheduling.models import Appointment, Holiday, WorkingHours

    call_command("seed_demo")

    assert WorkingHours.objects.exists() and Holiday.objects.count() == 3
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert {"booked", "completed", "cancelled", "no_show"} <= statuses
    occupying = Appointment.objects.occupying()
    assert occupying.count() == occupying.values("doctor", "start").distinct().count()
    assert occupying.count() == occupying.values("patient", "start").distinct().count()


def test_seed_writes_visit_records_with_prescriptions_for_completed_visits():
    from records.models import VisitRecord
    from scheduling.models import Appointment

    call_command("seed_demo")

    completed = Appointment.objects.filter(status="completed")
    assert completed.exists()
    assert VisitRecord.objects.count() == completed.count()
    assert not VisitRecord.objects.filter(prescriptions__isnull=True).exists()
