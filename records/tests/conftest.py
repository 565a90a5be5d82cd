from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory


@pytest.fixture
def checked_in_appointment(doctor, patient):
    """An appointment of `doctor` with `patient` that started an hour ago (checked in)."""
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    return AppointmentFactory(
        doctor=doctor.doctor_profile,
        patient=patient.patient_profile,
        start=start,
        status=Appointment.Status.CHECKED_IN,
    )


RECORD = {
    "visit_type": "consultation",
    "complaint": "Chest tightness on exertion",
    "bp_systolic": "142",
    "bp_diastolic": "91",
    "pulse": "88",
    "temperature_c": "36.8",
    "spo2": "97",
    "weight_kg": "81.5",
    "diagnosis": "Stable angina",
    "tests_done": "ECG",
    "tests_ordered": "Lipid panel",
    "advice": "Avoid heavy exertion",
    "notes": "",
    "follow_up_on": "",
    "rx-TOTAL_FORMS": "2",
    "rx-INITIAL_FORMS": "0",
    "rx-MIN_NUM_FORMS": "0",
    "rx-MAX_NUM_FORMS": "30",
    "rx-0-medicine": "Aspirin",
    "rx-0-dose": "75 mg",
    "rx-0-frequency": "once a day",
    "rx-0-duration": "90 days",
    "rx-0-instructions": "after breakfast",
    "rx-1-medicine": "Glyceryl trinitrate spray",
    "rx-1-dose": "400 mcg",
    "rx-1-frequency": "as needed",
    "rx-1-duration": "",
    "rx-1-instructions": "under the tongue",
}
