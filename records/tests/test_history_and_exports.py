import csv
import io
import tracemalloc
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.tests.factories import PatientFactory
from hms.lib.spreadsheets import csv_safe
from records.models import PrescriptionItem, VisitRecord
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def make_visits(doctor_user, patient, n, *, start_offset_days=400, diagnosis="Diagnosis {i}"):
    start = timezone.now() - timedelta(days=start_offset_days)
    appointments = Appointment.objects.bulk_create(
        Appointment(
            doctor=doctor_user.doctor_profile,
            patient=patient,
            start=start + timedelta(minutes=30 * i),
            end=start + timedelta(minutes=30 * i + 30),
            status="completed",
        )
        for i in range(n)
    )
    records = VisitRecord.objects.bulk_create(
        VisitRecord(
            appointment=a,
            patient=patient,
            author=doctor_user,
            complaint=f"C{i}",
            diagnosis=diagnosis.format(i=i),
        )
        for i, a in enumerate(appointments)
    )
    PrescriptionItem.objects.bulk_create(
        PrescriptionItem(record=r, medicine="Paracetamol", dose="500 mg", frequency="qds")
        for r in records
    )
    return records


def test_patient_timeline_shows_visits_with_prescriptions(client, doctor, patient):
    make_visits(doctor, patient.patient_profile, 3)
    client.force_login(patient)
    response = client.get(reverse("records:my-history"))
    html = response.content.decode()
    assert "Diagnosis 2" in html and "Paracetamol 500 mg" in html


def test_history_query_count_is_constant(client, doctor, patient):
    client.force_login(patient)
    url = reverse("records:my-history")
    make_visits(doctor, patient.patient_profile, 2)
    client.get(url)  # the first request also loads the user's permissions into the cache
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    make_visits(doctor, patient.patient_profile, 15, start_offset_days=200)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


def test_my_patients_lists_counts_and_next_appointment(client, doctor, patient):
    make_visits(doctor, patient.patient_profile, 2)
    nxt = timezone.now() + timedelta(days=2)
    AppointmentFactory(
        doctor=doctor.doctor_profile,
        patient=patient.patient_profile,
        start=nxt,
    )
    stranger = PatientFactory()
    client.force_login(doctor)
    rows = list(client.get(reverse("records:my-patients")).context["page"])
    assert [(p.pk, p.visit_count) for p in rows] == [(patient.patient_profile.pk, 2)]
    assert rows[0].next_appointment == nxt
    assert stranger not in rows


def test_my_patients_query_count_is_constant(client, doctor):
    client.force_login(doctor)
    url = reverse("records:my-patients")
    for n in range(2):
        make_visits(doctor, PatientFactory(), 1, start_offset_days=400 + n)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(10):
        make_visits(doctor, PatientFactory(), 2, start_offset_days=300 - i)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (None, ""),
    ],
)
def test_csv_cells_cannot_be_formulas(value, expected):
    assert csv_safe(value) == expected


def test_csv_export_is_escaped_and_complete(client, doctor, patient):
    make_visits(doctor, patient.patient_profile, 3, diagnosis='=HYPERLINK("x") {i}')
    client.force_login(patient)
    response = client.get(reverse("records:my-history-csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Date" and len(rows) == 4
    assert all(r[5].startswith("'=HYPERLINK") for r in rows[1:])
    assert rows[1][-1] == "Paracetamol 500 mg qds"


def test_csv_of_10000_visits_streams_with_flat_memory(client, doctor, patient):
    make_visits(
        doctor,
        patient.patient_profile,
        10_000,
        start_offset_days=400,
        diagnosis="Diagnosis {i} " + "details " * 100,
    )
    client.force_login(patient)
    response = client.get(reverse("records:my-history-csv"))
    tracemalloc.start()
    lines = size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert lines == 10_001
    assert size > 8 * 1024 * 1024  # the file is ~8.5 MB ...
    assert peak < 4 * 1024 * 1024, peak  # ... but never held in memory at once
