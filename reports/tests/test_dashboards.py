from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from clinic.models import Doctor
from clinic.tests.factories import DepartmentFactory, DoctorFactory, PatientFactory
from scheduling import services
from scheduling.tests.conftest import next_weekday_slot
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

DASHBOARDS = {
    "patient": "reports:patient-dashboard",
    "doctor": "reports:doctor-dashboard",
    "hospital_admin": "reports:hospital-dashboard",
}


@pytest.mark.parametrize("url_name", ["reports:dashboard", *DASHBOARDS.values()])
def test_anonymous_users_are_sent_to_login(client, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize("role", DASHBOARDS)
def test_each_role_lands_on_its_own_dashboard(request, client, role):
    user = request.getfixturevalue(role)
    client.force_login(user)

    response = client.get(reverse("reports:dashboard"), follow=True)

    assert response.redirect_chain == [(reverse(DASHBOARDS[role]), 302)]
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "other_role"), [(a, b) for a in DASHBOARDS for b in DASHBOARDS if a != b]
)
def test_a_role_gets_403_on_the_other_roles_dashboards(request, client, role, other_role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse(DASHBOARDS[other_role]))

    assert response.status_code == 403
    assert b"have access to this page" in response.content


def test_a_user_without_role_is_told_so(client):
    client.force_login(UserFactory())
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 403
    assert b"no role yet" in response.content


def test_superuser_lands_on_the_hospital_dashboard(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("reports:dashboard"))
    assert response.url == reverse("reports:hospital-dashboard")


def test_hospital_dashboard_counts_doctors_patients_and_departments(client, hospital_admin):
    DoctorFactory.create_batch(3)
    DoctorFactory(status=Doctor.Status.PENDING)
    DoctorFactory(status=Doctor.Status.BLOCKED)
    DoctorFactory(removed_at=timezone.now())
    PatientFactory.create_batch(4)
    PatientFactory(is_active=False)
    DepartmentFactory(name="Closed", is_active=False)
    client.force_login(hospital_admin)

    url = reverse("reports:hospital-dashboard")
    client.get(url)  # warm: the user and permission set are cached from the first request on
    # session (without Redis), 3 aggregates, the appointments needing attention
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)

    # the session is read from the cache with Redis, from the database without
    assert len(small) == (4 if settings.SESSION_ENGINE.endswith("cached_db") else 5)

    assert response.context["totals"] == {
        "doctors_active": 3,
        "doctors_pending": 1,
        "doctors_blocked": 1,
        "doctors_removed": 1,
        "patients_active": 4,
        "patients_inactive": 1,
        "departments_active": 6,
        "departments_inactive": 1,
    }
    assert b"Pending approval" in response.content
    # More rows of every kind, some needing attention: the same queries.
    DoctorFactory.create_batch(5)
    PatientFactory.create_batch(5)
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=2)
    flagged = AppointmentFactory(start=start)
    flagged.doctor.leaves.create(start=start, end=start + timedelta(hours=1))
    AppointmentFactory(start=start + timedelta(days=1))
    client.get(url)  # new users joined role groups: the permission cache is renewed once
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(large) == len(small)
    assert response.context["attention_count"] == 1


def test_home_sends_signed_in_users_to_their_dashboard(client, patient):
    assert client.get("/").status_code == 200
    client.force_login(patient)
    assert client.get("/").url == reverse("reports:dashboard")


def test_navbar_shows_the_signed_in_user_and_a_post_logout(client, patient):
    client.force_login(patient)
    html = client.get(reverse("reports:patient-dashboard")).content.decode()
    assert patient.get_full_name() in html
    assert f'method="post" action="{reverse("account_logout")}"' in html


def test_patient_dashboard_shows_the_next_appointment(client, patient, doctor):
    profile = doctor.doctor_profile
    for weekday in range(7):
        profile.working_hours.create(weekday=weekday, start="09:00", end="17:00")
    services.appointment_book(
        patient=patient.patient_profile, doctor=profile, start=next_weekday_slot(10), by=patient
    )
    client.force_login(patient)

    response = client.get(reverse("reports:patient-dashboard"))

    assert [a.doctor for a in response.context["upcoming"]] == [profile]
    assert profile.display_name in response.content.decode()


def test_doctor_dashboard_lists_today(client, doctor, patient):
    start = next_weekday_slot(23, days_ahead=0)
    AppointmentFactory(
        doctor=doctor.doctor_profile,
        patient=patient.patient_profile,
        start=start,
    )
    client.force_login(doctor)
    response = client.get(reverse("reports:doctor-dashboard"))
    assert "Today · 1 appointment" in response.content.decode()


def test_doctor_dashboard_chart_counts_patients_seen_per_month(
    client, doctor, django_assert_max_num_queries
):
    now = timezone.now().replace(day=2, hour=10, minute=0, second=0, microsecond=0)
    same = PatientFactory()
    for i, patient in enumerate([same, same, PatientFactory()]):
        AppointmentFactory(
            doctor=doctor.doctor_profile,
            patient=patient,
            start=now + timedelta(hours=i),
            end=now + timedelta(hours=i, minutes=30),
            status="completed",
        )
    client.force_login(doctor)
    response = client.get(reverse("reports:doctor-dashboard"))
    assert response.context["months"][-1][1] == 2  # distinct patients
    assert response.context["chart_data"]["perMonth"]["values"][-1] == 2
    assert 'data-chart="perMonth"' in response.content.decode()
