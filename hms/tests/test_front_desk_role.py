"""The Front desk role: what it may do beyond the access matrix (hms/tests/test_access_matrix.py),
where it lands, what its menu shows, and that it never reaches medical data."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.access import is_staff_member
from accounts.roles import FRONT_DESK, declared_role_permissions
from accounts.seed import DEMO_PASSWORD
from clinic.models import Patient
from clinic.tests.test_patients import VALID
from records.tests.factories import VisitRecordFactory
from scheduling.models import Appointment
from scheduling.slots import Slot
from scheduling.tests.conftest import next_weekday_slot
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def _perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_migrate_creates_the_front_desk_group_with_its_declared_permissions():
    perms = _perms(FRONT_DESK)

    assert perms == declared_role_permissions()[FRONT_DESK]
    assert {"scheduling.manage_all_appointments", "clinic.add_patient"} <= perms
    assert not {p for p in perms if p.startswith(("records.", "reports."))}
    assert "scheduling.change_workinghours" not in perms


def test_the_front_desk_lands_on_todays_queue_and_is_treated_as_staff(client, front_desk):
    client.force_login(front_desk)

    response = client.get(reverse("reports:dashboard"))

    assert response.url == reverse("scheduling:queue")
    assert is_staff_member(front_desk)  # shorter idle limit, two-factor in production


def test_the_menu_shows_the_front_desk_its_pages_and_no_records(client, front_desk):
    client.force_login(front_desk)

    html = client.get(reverse("scheduling:queue")).content.decode()

    for name in ("scheduling:queue", "scheduling:appointment-list", "clinic:patient-list"):
        assert f'href="{reverse(name)}"' in html
    assert 'href="{}"'.format(reverse("clinic:directory")) in html  # book for a patient
    assert reverse("records:record-list") not in html
    assert reverse("reports:analytics") not in html


def test_an_appointment_page_links_its_visit_record_for_admins_but_not_the_front_desk(
    client, front_desk, hospital_admin, patient, doctor
):
    start = timezone.now() - timedelta(days=2)
    appointment = AppointmentFactory(
        doctor=doctor.doctor_profile, patient=patient.patient_profile, start=start,
        end=start + timedelta(minutes=30), status=Appointment.Status.COMPLETED,
    )  # fmt: skip
    record = VisitRecordFactory(appointment=appointment, patient=patient.patient_profile)
    url = reverse("scheduling:appointment-detail", args=[appointment.pk])
    record_url = reverse("records:record-detail", args=[record.pk])

    client.force_login(hospital_admin)
    assert record_url in client.get(url).content.decode()
    client.force_login(front_desk)
    page = client.get(url)
    assert page.status_code == 200
    assert record_url not in page.content.decode()
    assert client.get(record_url).status_code == 404


def test_a_doctors_schedule_without_a_doctor_sends_the_front_desk_to_the_queue(client, front_desk):
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:doctor-day"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("scheduling:queue")
    assert response.status_code == 200


def test_the_front_desk_cannot_change_a_doctors_hours_slots_or_leave(client, front_desk, doctor):
    client.force_login(front_desk)
    query = f"?doctor={doctor.doctor_profile.pk}"

    assert client.get(reverse("scheduling:availability") + query).status_code == 403
    assert client.get(reverse("scheduling:slot-grid") + query).status_code == 403
    post = {"doctor": doctor.doctor_profile.pk, "start": "2030-01-01T09:00", "end": "2030-01-02"}
    assert client.post(reverse("scheduling:leave-add"), post).status_code == 403
    assert not doctor.doctor_profile.leaves.exists()


def test_seed_demo_creates_the_front_desk_login(client):
    call_command("seed_demo", verbosity=0)

    assert client.login(email="frontdesk@example.com", password=DEMO_PASSWORD)
    assert client.get(reverse("scheduling:queue")).status_code == 200


def test_the_front_desk_registers_a_patient_and_books_for_them(
    client, front_desk, doctor, django_capture_on_commit_callbacks
):
    profile = doctor.doctor_profile
    for weekday in range(7):
        profile.working_hours.create(weekday=weekday, start="09:00", end="17:00")
    client.force_login(front_desk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("clinic:patient-create"), {**VALID, "email": "ravi@example.com"})
    patient = Patient.objects.get(user__email="ravi@example.com")
    start = next_weekday_slot(10)
    key = Slot(start, start).key
    book = reverse("scheduling:book", args=[profile.pk])

    response = client.post(book, {"for": patient.pk, "slot": key, "reason": "Walk-in"})

    appointment = Appointment.objects.get(patient=patient)
    assert response.url == reverse("scheduling:appointment-detail", args=[appointment.pk])
    assert (appointment.start, appointment.booked_by) == (start, front_desk)
