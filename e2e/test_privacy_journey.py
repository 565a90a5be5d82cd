"""Journey 5: another patient types in the addresses of the first patient's private pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.tests.factories import DoctorFactory, PatientFactory
from e2e.helpers import assert_no_problems, sign_in
from records.services import visit_complete
from scheduling.models import Appointment

pytestmark = pytest.mark.postgres

DIAGNOSIS = "Type 2 diabetes mellitus"


@pytest.fixture
def first_patient_urls(hospital_late_morning):
    """The first patient's private pages: a completed visit with its record, a future booking."""
    doctor = DoctorFactory()
    patient = PatientFactory(user__email="first.patient@example.com", user__last_name="Nightingale")
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    visit = Appointment.objects.create(
        doctor=doctor,
        patient=patient,
        start=start,
        end=start + timedelta(minutes=30),
        status=Appointment.Status.CHECKED_IN,
    )
    record = visit_complete(
        appointment=visit,
        by=doctor.user,
        data={"visit_type": "consultation", "complaint": "Thirst", "diagnosis": DIAGNOSIS},
        items=[{"medicine": "Metformin", "dose": "500 mg", "frequency": "twice a day"}],
    )
    booked = Appointment.objects.create(
        doctor=doctor,
        patient=patient,
        start=start + timedelta(days=3),
        end=start + timedelta(days=3, minutes=30),
    )
    return [
        reverse("scheduling:appointment-detail", args=[visit.pk]),
        reverse("scheduling:appointment-detail", args=[booked.pk]),
        reverse("scheduling:reschedule", args=[booked.pk]),
        reverse("scheduling:appointment-cancel", args=[booked.pk]),
        reverse("records:record-detail", args=[record.pk]),
        reverse("records:prescription-pdf", args=[record.pk]),
        reverse("records:patient-history", args=[patient.pk]),
        reverse("records:history-csv", args=[patient.pk]),
        reverse("records:history-pdf", args=[patient.pk]),
    ]


def test_second_patient_cannot_open_first_patients_pages(new_page, shots, first_patient_urls):
    PatientFactory(user__email="second.patient@example.com")

    # The owner opens every one of them: the addresses are real.
    owner = new_page()
    sign_in(owner, "first.patient@example.com")
    for url in first_patient_urls:
        assert owner.request.get(url).status == 200, url

    intruder = new_page()
    sign_in(intruder, "second.patient@example.com")
    refused = {url: intruder.request.get(url) for url in first_patient_urls}
    wrong = {url: r.status for url, r in refused.items() if r.status not in (403, 404)}
    assert not wrong, f"pages the second patient could open: {wrong}"
    for url, response in refused.items():
        body = response.text()
        assert DIAGNOSIS not in body and "Nightingale" not in body, url

    response = intruder.goto(first_patient_urls[4])  # the visit record, as a browser shows it
    assert response.status == 404
    shots(intruder, "j5-record-refused")
    response = intruder.goto(first_patient_urls[1])
    assert response.status == 404
    shots(intruder, "j5-appointment-refused")
    assert_no_problems(intruder)
