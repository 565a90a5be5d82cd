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


def test_email_me_my_records_sends_pdf_and_csv_to_the_verified_address(
    client, doctor, patient, django_capture_on_commit_callbacks
):
    from django.core import mail

    make_visits(doctor, patient.patient_profile, 2)
    client.force_login(patient)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("records:email-records", args=[patient.patient_profile.pk]), follow=True
        )
    assert "being sent to patient@example.com" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["patient@example.com"]
    names = sorted(name for name, _, _ in message.attachments)
    assert names[0].endswith(".csv") and names[1].endswith(".pdf")
    pdf = next(content for name, content, _ in message.attachments if name.endswith(".pdf"))
    assert pdf.startswith(b"%PDF-")


def test_no_records_are_mailed_to_an_unverified_address(client, doctor, patient):
    from allauth.account.models import EmailAddress
    from django.core import mail

    EmailAddress.objects.filter(user=patient).update(verified=False)
    client.force_login(patient)
    response = client.post(
        reverse("records:email-records", args=[patient.patient_profile.pk]), follow=True
    )
    assert "no verified e-mail address" in response.content.decode()
    assert mail.outbox == []


def test_another_patient_cannot_have_my_records_mailed(client, patient, other_patient):
    client.force_login(other_patient)
    url = reverse("records:email-records", args=[patient.patient_profile.pk])
    assert client.post(url).status_code == 404
