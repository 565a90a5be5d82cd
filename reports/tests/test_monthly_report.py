import io
from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clinic.tests.factories import DoctorFactory, PatientFactory
from records.tests.factories import VisitRecordFactory
from reports.models import SentNotification
from reports.monthly import monthly_stats
from reports.tasks import send_monthly_reports
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db
MONTH = date(2026, 10, 1)


def at(day: int, hour: int = 10) -> datetime:
    return datetime.combine(date(2026, 10, day), time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def month_of_work(doctor):
    """October 2026 for `doctor`: known numbers to check the report against."""
    profile = doctor.doctor_profile
    returning, new_a, new_b = PatientFactory(), PatientFactory(), PatientFactory()
    # `returning` was first seen in September.
    AppointmentFactory(
        doctor=profile,
        patient=returning,
        start=at(1) - timedelta(days=20),
        end=at(1) - timedelta(days=20, minutes=-30),
        status="completed",
    )

    def visit(patient, day, hour, status, diagnosis=None):
        a = AppointmentFactory(
            doctor=profile,
            patient=patient,
            start=at(day, hour),
            status=status,
        )
        if diagnosis:
            VisitRecordFactory(
                appointment=a, patient=patient, author=doctor, complaint="-", diagnosis=diagnosis
            )

    visit(returning, 5, 9, "completed", "Hypertension")  # Monday
    visit(new_a, 5, 10, "completed", "Hypertension")  # Monday
    visit(new_b, 6, 9, "completed", "Asthma")  # Tuesday
    visit(new_b, 7, 9, "no_show")  # Wednesday
    visit(new_a, 12, 9, "cancelled")  # Monday (not counted in load)
    visit(returning, 12, 10, "completed", "Hypertension")  # Monday
    return profile


def test_monthly_numbers_match_the_data(month_of_work):
    s = monthly_stats(month_of_work, MONTH)
    assert s.total == 6
    assert s.by_status == {
        "booked": 0,
        "checked_in": 0,
        "completed": 4,
        "cancelled": 1,
        "no_show": 1,
    }
    assert (s.patients_seen, s.new_patients, s.returning_patients) == (3, 2, 1)
    assert s.no_show_rate == pytest.approx(1 / 5)
    assert s.top_diagnoses == [("Hypertension", 3), ("Asthma", 1)]
    assert s.busiest_days[0] == ("Mon", 3)
    assert dict(s.daily)[date(2026, 10, 5)] == 2 and len(s.daily) == 31


def test_the_report_pdf_shows_those_numbers(client, doctor, month_of_work):
    client.force_login(doctor)
    response = client.get(reverse("reports:monthly-report"), {"month": "2026-10", "format": "pdf"})
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "October 2026" in text and doctor.doctor_profile.display_name in text
    assert "Hypertension" in text and "20%" in text  # no-show rate


def test_monthly_reports_are_mailed_once_per_doctor_and_month(
    month_of_work, django_capture_on_commit_callbacks
):
    DoctorFactory()  # another active doctor, with an empty month
    with django_capture_on_commit_callbacks(execute=True):
        assert send_monthly_reports(month=MONTH.isoformat()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert send_monthly_reports(month=MONTH.isoformat()) == 2  # run again ...
    assert len(mail.outbox) == 2  # ... but each doctor got it once
    pdf = mail.outbox[0].attachments[0]
    assert pdf[0] == "report-2026-10.pdf" and pdf[1].startswith(b"%PDF-")
    assert SentNotification.objects.filter(kind="monthly_report", status="sent").count() == 2


def test_send_monthly_reports_command(capsys, month_of_work):
    call_command(
        "send_monthly_reports", "--month", "2026-10", "--doctor", str(month_of_work.pk), "--dry-run"
    )
    assert "would send" in capsys.readouterr().out and not mail.outbox
    call_command("send_monthly_reports", "--month", "2026-10", "--doctor", str(month_of_work.pk))
    call_command("send_monthly_reports", "--month", "2026-10", "--doctor", str(month_of_work.pk))
    out = capsys.readouterr().out
    assert "Sent 1" in out and "already sent 1" in out and len(mail.outbox) == 1


def test_who_may_download_which_report(client, doctor, other_doctor, hospital_admin, patient):
    url = reverse("reports:doctor-monthly-report", args=[doctor.doctor_profile.pk])
    client.force_login(other_doctor)
    assert client.get(url).status_code == 403
    client.force_login(patient)
    assert client.get(reverse("reports:monthly-report")).status_code == 404
    client.force_login(hospital_admin)
    assert client.get(url, {"month": "2026-10", "format": "pdf"}).status_code == 200


def test_hospital_wide_monthly_report_for_admins(client, hospital_admin, month_of_work, doctor):
    other = DoctorFactory()
    start = at(20)
    AppointmentFactory(
        doctor=other,
        patient=PatientFactory(),
        start=start,
        status="completed",
    )
    s = monthly_stats(None, MONTH)
    assert s.total == 7 and s.patients_seen == 4
    client.force_login(hospital_admin)
    response = client.get(
        reverse("reports:hospital-monthly-report"), {"month": "2026-10", "format": "pdf"}
    )
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Whole hospital" in text
    client.force_login(doctor)
    assert client.get(reverse("reports:hospital-monthly-report")).status_code == 403
