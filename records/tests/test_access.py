"""Who may read which medical data; every decision is logged."""

from datetime import timedelta

import pytest
from django.urls import reverse

from clinic.tests.factories import DoctorFactory
from records.models import AccessLogEntry, Export
from records.tests.factories import VisitRecordFactory
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(checked_in_appointment, doctor):
    return VisitRecordFactory(
        appointment=checked_in_appointment,
        patient=checked_in_appointment.patient,
        author=doctor,
        complaint="Cough",
        diagnosis="Bronchitis",
    )


@pytest.fixture
def colleague(patient, checked_in_appointment):
    """Another doctor who also had an appointment with the patient."""
    other = DoctorFactory(user__email="colleague@example.com")
    AppointmentFactory(
        doctor=other,
        patient=checked_in_appointment.patient,
        start=checked_in_appointment.start + timedelta(days=3),
        end=checked_in_appointment.end + timedelta(days=3),
    )
    return other.user


# Who may open which records URL is in the site-wide matrix: hms/tests/test_access_matrix.py.


def test_a_doctor_who_never_saw_the_patient_is_refused_and_logged(client, other_doctor, record):
    client.force_login(other_doctor)
    client.get(reverse("records:record-detail", args=[record.pk]))
    client.get(reverse("records:patient-history", args=[record.patient_id]))
    denied = AccessLogEntry.objects.filter(actor=other_doctor, outcome="denied")
    assert {e.object_type for e in denied} == {"visit_record", "history"}
    assert all(e.patient_id == record.patient_id for e in denied)


def test_reads_and_exports_are_logged_with_who_role_and_ip(client, patient, record):
    client.force_login(patient)
    client.get(reverse("records:record-detail", args=[record.pk]), REMOTE_ADDR="10.1.2.3")
    b"".join(client.get(reverse("records:my-history-csv")).streaming_content)
    entries = AccessLogEntry.objects.filter(actor=patient).order_by("at", "pk")
    assert [(e.action, e.object_type, e.outcome) for e in entries] == [
        ("view", "visit_record", "allowed"),
        ("export", "export_csv", "allowed"),
    ]
    assert entries[0].ip == "10.1.2.3" and entries[0].role == "Patient"


def test_staff_viewing_a_patient_profile_is_logged(client, hospital_admin, patient):
    client.force_login(hospital_admin)
    client.get(reverse("clinic:patient-detail", args=[patient.patient_profile.pk]))
    entry = AccessLogEntry.objects.get(actor=hospital_admin)
    assert (entry.object_type, entry.action, entry.patient_id) == (
        "patient_profile",
        "view",
        patient.patient_profile.pk,
    )


def test_patient_sees_who_accessed_their_records_and_nothing_else(
    client, patient, other_patient, hospital_admin, record
):
    client.force_login(hospital_admin)
    client.get(reverse("records:record-detail", args=[record.pk]))
    client.get(reverse("clinic:patient-detail", args=[other_patient.patient_profile.pk]))
    client.force_login(patient)
    page = client.get(reverse("records:access-log")).context["page"]
    assert {e.patient_id for e in page} == {patient.patient_profile.pk}
    assert hospital_admin in {e.actor for e in page}


def test_access_log_is_read_only_in_django_admin(client, record):
    from accounts.tests.factories import UserFactory

    entry = AccessLogEntry.objects.create(patient=record.patient, object_type="x", action="view")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get("/admin/records/accesslogentry/").status_code == 200
    assert client.get(f"/admin/records/accesslogentry/{entry.pk}/delete/").status_code == 403
    response = client.post(f"/admin/records/accesslogentry/{entry.pk}/change/", {"action": "x"})
    assert response.status_code == 403


def test_access_log_says_what_happened_in_words_not_codes(
    client, patient, hospital_admin, record, django_capture_on_commit_callbacks
):
    client.force_login(hospital_admin)
    client.get(reverse("records:patient-history", args=[patient.patient_profile.pk]))
    client.get(reverse("records:history-csv", args=[patient.patient_profile.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("records:export-start", args=[patient.patient_profile.pk]))
    export = Export.objects.get()
    b"".join(client.get(reverse("records:export-download", args=[export.pk])).streaming_content)
    client.get(reverse("records:record-detail", args=[record.pk]))

    html = client.get(reverse("records:access-log")).content.decode()

    for words in (
        "Viewed the patient’s history",
        "Exported the history (CSV)",
        "Started a full history export (CSV)",
        "Downloaded a full history export (CSV)",
        "Viewed a visit record",
    ):
        assert words in html
    for code in ("export_background_csv", "view history", "visit_record", f"#{record.pk}"):
        assert code not in html
