"""A walk-in registered without an e-mail address, through every page and job that touches a
patient: registration, booking by staff, check-in, the visit, history exports, the hospital CSV
report, the reminder job, Django admin; then the address is added and the invitation goes once."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from clinic.models import Patient
from hms.lib.outbox.models import Message
from records.models import VisitRecord
from records.tests.conftest import RECORD
from reports.models import SentNotification
from reports.reminders import NO_EMAIL
from reports.tasks import send_daily_reminders
from scheduling.models import Appointment
from scheduling.slots import Slot

pytestmark = pytest.mark.django_db

WALK_IN = {
    "first_name": "Amara",
    "last_name": "Okafor",
    "email": "",
    "gender": "female",
    "date_of_birth": "1980-03-14",
    "phone": "07911 654321",
    "blood_group": "",
    "address": "",
    "emergency_contact_name": "",
    "emergency_contact_phone": "",
    "height_cm": "",
    "weight_kg": "",
    "allergies": "",
    "chronic_conditions": "",
}


def register(client, **changes) -> Patient:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("clinic:patient-create"), {**WALK_IN, **changes})
    assert response.status_code == 302, response.content.decode()
    return Patient.objects.select_related("user").get(pk=response.url.rstrip("/").split("/")[-1])


def in_two_days(hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=2)
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def open_doctor(doctor):
    profile = doctor.doctor_profile
    for weekday in range(7):
        profile.working_hours.create(weekday=weekday, start=time(9), end=time(17))
    return profile


def test_a_walk_in_is_registered_without_e_mail_and_has_no_login(client, hospital_admin):
    client.force_login(hospital_admin)
    patient = register(client)

    assert patient.user.email is None and not patient.user.has_usable_password()
    assert patient.phone.as_e164 == "+447911654321"
    assert not Message.objects.filter(handler="accounts.invitation").exists()
    assert mail.outbox == []
    page = client.get(reverse("clinic:patient-detail", args=[patient.pk])).content.decode()
    assert "No e-mail: no reminders" in page and "No e-mail address" in page
    assert "no login and no e-mail reminders until one is added" in page  # the message


def test_two_walk_ins_without_e_mail_do_not_collide(client, hospital_admin):
    client.force_login(hospital_admin)
    register(client)
    register(client, first_name="Ben", phone="07911 654322")
    assert User.objects.filter(email__isnull=True).count() == 2


def test_a_walk_in_is_booked_checked_in_seen_and_exported_without_any_e_mail(
    client, hospital_admin, doctor, open_doctor, tmp_path
):
    client.force_login(hospital_admin)
    patient = register(client)
    start = in_two_days(10)
    book = reverse("scheduling:book", args=[open_doctor.pk])
    page = client.get(book, {"for": patient.pk, "date": timezone.localdate(start).isoformat()})
    assert "no e-mail address: no confirmation e-mail" in page.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(book, {"slot": Slot(start, start).key, "for": patient.pk})
    appointment = Appointment.objects.get(patient=patient)
    assert appointment.booked_by == hospital_admin
    assert not Message.objects.filter(handler="scheduling.patient_email").exists()

    with time_machine.travel(start - timedelta(hours=2), tick=False):
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert send_daily_reminders(kind="same_day") == 0  # the reminder job, for real
        row = SentNotification.objects.get(appointment=appointment)
        assert (row.status, row.last_error) == ("skipped", NO_EMAIL)

        client.force_login(hospital_admin)  # a new day: the idle sign-out ended the session
        action = reverse("scheduling:appointment-action", args=[appointment.pk, "check_in"])
        client.post(action)
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.CHECKED_IN

        client.force_login(doctor)
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(reverse("records:complete-visit", args=[appointment.pk]), RECORD)
        assert VisitRecord.objects.get().patient == patient
        assert not Message.objects.filter(handler="records.visit_summary_ready").exists()

        client.force_login(hospital_admin)
        csv = client.get(reverse("records:history-csv", args=[patient.pk]))
        assert "Chest tightness" in b"".join(csv.streaming_content).decode()
        pdf = client.get(reverse("records:history-pdf", args=[patient.pk]))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        history = client.get(reverse("records:patient-history", args=[patient.pk]))
        assert "E-mail records to the patient" not in history.content.decode()

        out = tmp_path / "report.csv"
        day = timezone.localdate().isoformat()
        call_command("export_report", "appointments", "--from", day, "--to", day, "-o", str(out))
        line = out.read_text().splitlines()[1]
        assert "Amara Okafor" in line and "None" not in line
    assert mail.outbox == []


# Django's own read-only password widget looks up `password_url`, which it leaves unset for an
# unusable password: that lookup is Django's, not HMS's.
@pytest.mark.ignore_template_errors
def test_the_staff_pages_and_django_admin_show_a_patient_without_e_mail(client, hospital_admin):
    client.force_login(hospital_admin)
    patient = register(client)
    hospital_admin.is_staff = hospital_admin.is_superuser = True
    hospital_admin.save()

    listing = client.get(reverse("clinic:patient-list")).content.decode()
    assert "Amara Okafor" in listing and "None" not in listing
    appointments = client.get(reverse("scheduling:appointment-list"), {"patient_id": patient.pk})
    assert appointments.status_code == 200
    for url in (
        reverse("admin:accounts_user_change", args=[patient.user.pk]),
        reverse("admin:clinic_patient_change", args=[patient.pk]),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:clinic_patient_changelist"),
    ):
        assert client.get(url).status_code == 200, url


def test_staff_add_an_e_mail_later_and_the_invitation_goes_exactly_once(client, hospital_admin):
    client.force_login(hospital_admin)
    patient = register(client)
    url = reverse("clinic:patient-email", args=[patient.pk])

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {"email": "Amara@Example.com"})
        again = client.post(url, {"email": "other@example.com"})

    assert response.status_code == again.status_code == 302
    patient.user.refresh_from_db()
    assert patient.user.email == "amara@example.com"
    assert Message.objects.filter(handler="accounts.invitation").count() == 1
    assert [m.to for m in mail.outbox] == [["amara@example.com"]]
    page = client.get(reverse("clinic:patient-detail", args=[patient.pk])).content.decode()
    assert "No e-mail: no reminders" not in page and "amara@example.com" in page

    link = next(word for word in mail.outbox[0].body.split() if "/password/reset/key/" in word)
    client.logout()
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0], {"password1": "Walk-in 2026!", "password2": "Walk-in 2026!"}
    )
    assert client.login(email="amara@example.com", password="Walk-in 2026!")


@pytest.mark.parametrize(
    ("email", "message"),
    [("not-an-address", "Enter a valid email address."), ("taken@example.com", "already exists")],
)
def test_a_bad_or_taken_address_is_explained_and_nothing_is_sent(
    client, hospital_admin, email, message
):
    client.force_login(hospital_admin)
    register(client, first_name="Taken", email="taken@example.com", phone="07911 654399")
    patient = register(client)
    mail.outbox.clear()

    response = client.post(reverse("clinic:patient-email", args=[patient.pk]), {"email": email})

    assert response.status_code == 400 and message in response.content.decode()
    patient.user.refresh_from_db()
    assert patient.user.email is None
    assert Message.objects.filter(handler="accounts.invitation").count() == 1  # "Taken"'s


def test_only_staff_add_an_address(client, patient, other_patient, doctor):
    walk_in = Patient.objects.get(user=other_patient)
    url = reverse("clinic:patient-email", args=[walk_in.pk])
    for user in (patient, doctor):
        client.force_login(user)
        assert client.post(url, {"email": "x@example.com"}).status_code == 403


def test_the_reminder_command_skips_a_walk_in_and_says_why(client, hospital_admin, capsys):
    from scheduling.tests.factories import AppointmentFactory

    client.force_login(hospital_admin)
    walk_in = register(client)
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    appointment = AppointmentFactory(
        patient=walk_in, start=start, end=start + timedelta(minutes=30)
    )
    day = timezone.localdate(start).isoformat()

    call_command("send_reminders", "--date", day, "--dry-run")
    assert f"would skip ({NO_EMAIL})" in capsys.readouterr().out
    call_command("send_reminders", "--date", day)

    assert "no e-mail address 1" in capsys.readouterr().out
    row = SentNotification.objects.get(appointment=appointment)
    assert (row.status, row.last_error) == ("skipped", NO_EMAIL)
    assert mail.outbox == []


def test_an_invitation_for_a_user_without_an_address_sends_nothing(client, hospital_admin):
    from accounts.tasks import send_invitation

    client.force_login(hospital_admin)
    walk_in = register(client)

    assert send_invitation(walk_in.user.pk) is False
    assert mail.outbox == []
