import pytest
from django.core import mail
from django.urls import reverse

from records.models import AccessLogEntry, VisitRecord
from records.tests.conftest import RECORD
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def complete(client, checked_in_appointment, **changes):
    return client.post(
        reverse("records:complete-visit", args=[checked_in_appointment.pk]),
        {**RECORD, **changes},
    )


def test_doctor_completes_a_visit_with_two_prescription_items(
    client, doctor, checked_in_appointment, patient, django_capture_on_commit_callbacks
):
    client.force_login(doctor)
    with django_capture_on_commit_callbacks(execute=True):
        response = complete(client, checked_in_appointment)

    record = VisitRecord.objects.get()
    assert response.url == reverse("records:record-detail", args=[record.pk])
    assert record.author == doctor and record.patient == patient.patient_profile
    assert list(record.prescriptions.values_list("medicine", flat=True)) == [
        "Aspirin",
        "Glyceryl trinitrate spray",
    ]
    checked_in_appointment.refresh_from_db()
    assert checked_in_appointment.status == Appointment.Status.COMPLETED
    assert checked_in_appointment.events.filter(action="complete").exists()
    assert [m.to for m in mail.outbox] == [[patient.email]]
    assert "Stable angina" not in mail.outbox[0].body  # no medical data in e-mail
    assert AccessLogEntry.objects.filter(action="create", object_type="visit_record").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"bp_diastolic": ""}, "bp_diastolic", "both numbers"),
        ({"bp_diastolic": "150"}, "bp_diastolic", "below the systolic"),
        ({"spo2": "120"}, "spo2", "less than or equal to 100"),
        ({"temperature_c": "52"}, "temperature_c", "less than or equal to 45"),
        ({"follow_up_on": "2000-01-01"}, "follow_up_on", "after the visit"),
        ({"diagnosis": ""}, "diagnosis", "required"),
        ({"rx-0-dose": ""}, None, "required"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(
    client, doctor, checked_in_appointment, changes, field, message
):
    client.force_login(doctor)
    response = complete(client, checked_in_appointment, **changes)
    assert response.status_code == 200
    errors = (
        response.context["form"].errors.get(field, [])
        if field
        else [e for f in response.context["formset"].errors for e in f.get("dose", [])]
    )
    assert any(message in e for e in errors), (errors, response.context["form"].errors)
    assert not VisitRecord.objects.exists()
    checked_in_appointment.refresh_from_db()
    assert checked_in_appointment.status == Appointment.Status.CHECKED_IN


def test_another_doctor_cannot_complete_the_visit_and_is_logged(
    client, other_doctor, checked_in_appointment
):
    client.force_login(other_doctor)
    assert complete(client, checked_in_appointment).status_code == 404
    assert AccessLogEntry.objects.filter(outcome="denied", actor=other_doctor).exists()
    assert not VisitRecord.objects.exists()


def test_a_future_appointment_cannot_be_completed(client, doctor, checked_in_appointment):
    from datetime import timedelta

    checked_in_appointment.start += timedelta(days=2)
    checked_in_appointment.end += timedelta(days=2)
    checked_in_appointment.save()
    client.force_login(doctor)
    response = complete(client, checked_in_appointment)
    assert "on the day of the appointment" in response.content.decode()
    assert not VisitRecord.objects.exists()


def test_only_the_author_edits_and_every_change_is_a_version(
    client, doctor, other_doctor, checked_in_appointment, patient
):
    client.force_login(doctor)
    complete(client, checked_in_appointment)
    record = VisitRecord.objects.get()
    items = list(record.prescriptions.all())
    edit = {
        **RECORD,
        "diagnosis": "Unstable angina",
        "rx-TOTAL_FORMS": "2",
        "rx-INITIAL_FORMS": "2",
        "rx-0-id": items[0].pk,
        "rx-1-id": items[1].pk,
        "rx-1-DELETE": "on",
    }

    response = client.post(reverse("records:record-edit", args=[record.pk]), edit)

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.diagnosis == "Unstable angina"
    assert record.prescriptions.count() == 1
    assert record.history.count() == 2
    versions = client.get(reverse("records:record-versions", args=[record.pk]))
    assert "Stable angina" in versions.content.decode()
    assert "Unstable angina" in versions.content.decode()
    # Another doctor of the same patient may read it but not edit it.
    client.force_login(other_doctor)
    AppointmentFactory(
        doctor=other_doctor.doctor_profile,
        patient=patient.patient_profile,
        start=checked_in_appointment.start,
        end=checked_in_appointment.end,
        status="cancelled",
    )
    assert client.get(reverse("records:record-detail", args=[record.pk])).status_code == 200
    assert client.post(reverse("records:record-edit", args=[record.pk]), edit).status_code == 403
    client.force_login(patient)
    assert client.get(reverse("records:record-edit", args=[record.pk])).status_code == 403


def test_appointment_page_offers_complete_visit_then_links_the_record(
    client, doctor, checked_in_appointment
):
    client.force_login(doctor)
    page = client.get(reverse("scheduling:appointment-detail", args=[checked_in_appointment.pk]))
    assert (
        reverse("records:complete-visit", args=[checked_in_appointment.pk]) in page.content.decode()
    )
    complete(client, checked_in_appointment)
    record = VisitRecord.objects.get()
    page = client.get(reverse("scheduling:appointment-detail", args=[checked_in_appointment.pk]))
    assert reverse("records:record-detail", args=[record.pk]) in page.content.decode()
