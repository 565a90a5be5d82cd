"""The access log at its edges (huge ids, proxies, list reads) and forged prescription input."""

import pytest
from django.urls import reverse

from records.audit import client_ip
from records.models import AccessLogEntry, VisitRecord

pytestmark = pytest.mark.django_db


def test_a_huge_patient_id_is_a_logged_404(client, other_doctor):
    client.force_login(other_doctor)
    response = client.get(reverse("records:patient-history", args=[10**30]))
    assert response.status_code == 404
    assert AccessLogEntry.objects.get().outcome == "denied"


def test_client_ip_behind_a_trusted_proxy(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "10.0.0.2"
    settings.HMS_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # the address our proxy saw, not the spoofable one


def test_staff_record_list_and_my_patients_reads_are_logged(client, hospital_admin, doctor):
    client.force_login(hospital_admin)
    client.get(reverse("records:record-list"))
    client.force_login(doctor)
    client.get(reverse("records:my-patients"))
    assert set(AccessLogEntry.objects.values_list("object_type", flat=True)) == {
        "record_list",
        "patient_list",
    }


def test_prescription_line_changes_show_on_the_versions_page(
    client, doctor, checked_in_appointment
):
    from records.models import VisitRecord
    from records.tests.conftest import RECORD

    client.force_login(doctor)
    client.post(reverse("records:complete-visit", args=[checked_in_appointment.pk]), RECORD)
    record = VisitRecord.objects.get()
    item = record.prescriptions.first()
    edit = {
        **RECORD,
        "rx-TOTAL_FORMS": "2",
        "rx-INITIAL_FORMS": "2",
        "rx-0-id": item.pk,
        "rx-0-dose": "300 mg",
        "rx-1-id": record.prescriptions.last().pk,
        "rx-1-DELETE": "on",
    }
    client.post(reverse("records:record-edit", args=[record.pk]), edit)
    page = client.get(reverse("records:record-versions", args=[record.pk])).content.decode()
    assert "300 mg" in page and "removed" in page


def test_a_forged_prescription_count_builds_no_more_than_30_forms(
    client, doctor, checked_in_appointment
):
    from records.tests.conftest import RECORD

    client.force_login(doctor)
    data = {**RECORD, "rx-TOTAL_FORMS": "1001"}

    response = client.post(
        reverse("records:complete-visit", args=[checked_in_appointment.pk]), data
    )

    assert response.status_code == 200
    assert len(response.context["formset"].forms) <= 30
    assert "Please submit at most 30 forms." in response.content.decode()
    assert not VisitRecord.objects.filter(appointment=checked_in_appointment).exists()
