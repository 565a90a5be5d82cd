"""A patient takes their record to another hospital: the FHIR button on the history page
downloads a FHIR R4 Bundle; their doctor finds the same button on the patient's history."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from playwright.sync_api import expect

from clinic.tests.factories import DoctorFactory, PatientFactory
from e2e.helpers import assert_no_problems, sign_in
from records.services import visit_complete
from scheduling.models import Appointment


@pytest.fixture
def patient_with_a_visit(hospital_late_morning):
    doctor = DoctorFactory(user__email="fhir.doctor@example.com", user__last_name="Lister")
    patient = PatientFactory(user__email="fhir.patient@example.com", allergies="Penicillin")
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    visit = Appointment.objects.create(
        doctor=doctor, patient=patient, start=start, end=start + timedelta(minutes=30),
        status=Appointment.Status.CHECKED_IN,
    )  # fmt: skip
    visit_complete(
        appointment=visit,
        by=doctor.user,
        data={"visit_type": "consultation", "complaint": "Thirst", "diagnosis": "Diabetes",
              "bp_systolic": 138, "bp_diastolic": 88, "weight_kg": Decimal("90.5")},
        items=[{"medicine": "Metformin", "dose": "500 mg", "frequency": "twice a day",
                "duration": "30 days"}],
    )  # fmt: skip
    return patient


def test_patient_downloads_their_record_as_fhir(new_page, shots, axe, patient_with_a_visit):
    page = new_page()
    sign_in(page, "fhir.patient@example.com")
    page.goto("/records/my/")
    axe(page)
    shots(page, "history-with-fhir-button", fits=True)
    with page.expect_download() as info:
        page.get_by_role("link", name="FHIR").click()
    download = info.value
    assert download.suggested_filename.endswith(".json")
    bundle = Bundle.model_validate_json(Path(download.path()).read_text(encoding="utf-8"))
    kinds = {e.resource.__resource_type__ for e in bundle.entry}
    assert {"Patient", "Encounter", "Observation", "MedicationRequest"} <= kinds
    assert "AllergyIntolerance" in kinds
    assert_no_problems(page)

    doctor = new_page()
    sign_in(doctor, "fhir.doctor@example.com")
    doctor.goto(f"/records/patients/{patient_with_a_visit.pk}/")
    shots(doctor, "doctor-sees-fhir-button", fits=True)
    with doctor.expect_download() as info:
        doctor.get_by_role("link", name="FHIR").click()
    assert Bundle.model_validate_json(Path(info.value.path()).read_text(encoding="utf-8")).entry

    # A long history: the same file, built on the server.
    doctor.get_by_role("button", name="Prepare FHIR in the background").click()
    expect(doctor.get_by_role("heading", name="Export (FHIR)")).to_be_visible()
    axe(doctor)
    shots(doctor, "fhir-prepared-in-the-background", fits=True)
    with doctor.expect_download() as info:
        doctor.get_by_role("link", name="Download FHIR").click()
    assert info.value.suggested_filename.startswith("record-")
    assert Bundle.model_validate_json(Path(info.value.path()).read_text(encoding="utf-8")).entry
    assert_no_problems(doctor)
