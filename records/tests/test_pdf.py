import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from records.tests.test_history_and_exports import make_visits

pytestmark = pytest.mark.django_db


def _read(response) -> PdfReader:
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(response.content))


def test_history_pdf_has_every_visit_and_the_patient_name(client, doctor, patient, settings):
    settings.HOSPITAL_NAME = "St Mary's Hospital"
    make_visits(doctor, patient.patient_profile, 40, diagnosis="Condition number {i}")
    client.force_login(patient)

    reader = _read(client.get(reverse("records:my-history-pdf")))

    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 3
    assert str(patient.patient_profile) in text
    assert "Condition number 0" in text and "Condition number 39" in text
    assert "St Mary's Hospital" in text
    assert f"Page 1 of {len(reader.pages)}" in text


def test_prescription_pdf(client, doctor, patient):
    record = make_visits(doctor, patient.patient_profile, 1)[0]
    client.force_login(patient)

    reader = _read(client.get(reverse("records:prescription-pdf", args=[record.pk])))

    text = reader.pages[0].extract_text()
    assert "Prescription" in text and "Paracetamol" in text
    assert str(patient.patient_profile) in text and len(reader.pages) == 1


def test_other_patients_cannot_get_the_pdfs(client, doctor, patient, other_patient):
    record = make_visits(doctor, patient.patient_profile, 1)[0]
    client.force_login(other_patient)
    assert client.get(reverse("records:prescription-pdf", args=[record.pk])).status_code == 404
    url = reverse("records:history-pdf", args=[patient.patient_profile.pk])
    assert client.get(url).status_code == 404
