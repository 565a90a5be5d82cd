import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clinic.tests.factories import DoctorFactory, PatientFactory
from records.models import Export
from records.tests.factories import VisitRecordFactory
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def _history(doctor_user, n=3):
    doctor = doctor_user.doctor_profile
    base = timezone.now().replace(microsecond=0) - timedelta(days=3)
    for i in range(n):
        patient = PatientFactory(user__first_name="=EVIL()" if i == 0 else "Plain")
        a = AppointmentFactory(
            doctor=doctor,
            patient=patient,
            start=base + timedelta(hours=i),
            end=base + timedelta(hours=i, minutes=30),
            status="completed",
        )
        VisitRecordFactory(
            appointment=a,
            patient=patient,
            author=doctor_user,
            complaint="-",
            diagnosis="+DIAG" if i == 0 else "Flu",
        )
    AppointmentFactory(
        doctor=DoctorFactory(),
        patient=PatientFactory(),
        start=base - timedelta(days=60),
        end=base - timedelta(days=60, minutes=-30),
    )


def test_staff_prepare_a_treatments_report_and_download_it(
    client, hospital_admin, doctor, django_capture_on_commit_callbacks
):
    _history(doctor)
    client.force_login(hospital_admin)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:report-exports"),
            {
                "kind": "treatments",
                "date_from": (today - timedelta(days=30)).isoformat(),
                "date_to": today.isoformat(),
            },
        )
    export = Export.objects.get()
    assert response.url == reverse("records:export-detail", args=[export.pk])
    body = b"".join(
        client.get(reverse("records:export-download", args=[export.pk])).streaming_content
    ).decode()
    table = list(csv.reader(io.StringIO(body)))
    assert len(table) == 4 and table[0][0] == "Date"
    assert any(cell.startswith("'=EVIL") for cell in table[1]) or any(
        cell.startswith("'=EVIL") for row in table for cell in row
    )
    assert any(cell == "'+DIAG" for row in table for cell in row)


def test_report_form_explains_bad_ranges(client, hospital_admin):
    client.force_login(hospital_admin)
    response = client.post(
        reverse("reports:report-exports"),
        {"kind": "appointments", "date_from": "2026-05-01", "date_to": "2026-04-01"},
    )
    assert "on or after the start" in response.content.decode()
    assert not Export.objects.exists()


def test_reports_page_is_staff_only(client, doctor):
    client.force_login(doctor)
    assert client.get(reverse("reports:report-exports")).status_code == 403


def test_export_report_command_writes_the_csv(tmp_path, doctor, capsys):
    _history(doctor, n=2)
    today = timezone.localdate()
    out = tmp_path / "a.csv"
    call_command(
        "export_report",
        "appointments",
        "--from",
        (today - timedelta(days=30)).isoformat(),
        "--to",
        today.isoformat(),
        "-o",
        str(out),
    )
    assert "Wrote 2 appointments rows" in capsys.readouterr().out
    assert len(out.read_text().splitlines()) == 3


def test_a_removed_doctor_is_not_offered_in_the_report_doctor_list(client, hospital_admin):
    kept = DoctorFactory(user__last_name="Present")
    gone = DoctorFactory(user__last_name="Departed", removed_at=timezone.now())
    client.force_login(hospital_admin)

    page = client.get(reverse("reports:report-exports"))

    offered = [value for value, _label in page.context["form"].fields["doctor"].choices if value]
    assert [int(str(v)) for v in offered] == [kept.pk]
    assert "Departed" not in page.content.decode()
    response = client.post(
        reverse("reports:report-exports"),
        {"kind": "appointments", "date_from": "2026-04-01", "date_to": "2026-04-30",
         "doctor": gone.pk},
    )  # fmt: skip
    assert "Select a valid choice" in response.content.decode()
    assert not Export.objects.exists()
