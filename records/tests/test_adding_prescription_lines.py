"""A visit has as many prescription lines as the doctor needs: "Add a line" works without
JavaScript (the form comes back as typed with one more blank line, nothing saved) and with it (the
page's script adds the line in place: the server then simply receives one more form). Only what a
line with content needs is marked required."""

import re

import pytest
from django.urls import reverse

from records.models import VisitRecord
from records.tests.conftest import RECORD
from records.tests.factories import PrescriptionItemFactory, VisitRecordFactory
from scheduling.models import Appointment

pytestmark = pytest.mark.django_db

ATORVASTATIN = {
    "rx-2-medicine": "Atorvastatin",
    "rx-2-dose": "20 mg",
    "rx-2-frequency": "at night",
}


@pytest.fixture
def complete_url(client, doctor, checked_in_appointment):
    client.force_login(doctor)
    return reverse("records:complete-visit", args=[checked_in_appointment.pk])


def label(html: str, field_id: str) -> str:
    """The text of the <label> of `field_id`, with its required mark if any."""
    match = re.search(rf'<label class="form-label" for="{field_id}">(.*?)</label>', html)
    assert match, f"no label for {field_id}"
    return match.group(1)


def marked_required(html: str, field_id: str) -> bool:
    return 'class="text-danger"' in label(html, field_id)


def test_add_a_line_without_javascript_keeps_everything_typed_and_saves_nothing(
    client, complete_url, checked_in_appointment
):
    half_typed = {**RECORD, "diagnosis": "", "rx-add": "1"}

    response = client.post(complete_url, half_typed)

    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 3
    html = response.content.decode()
    assert "Chest tightness on exertion</textarea>" in html
    assert 'value="Aspirin"' in html and 'value="Glyceryl trinitrate spray"' in html
    assert 'name="rx-TOTAL_FORMS" value="3"' in html
    assert 'name="rx-2-medicine"' in html
    # Not a save: no "required" complaint about the diagnosis the doctor has not reached yet.
    assert "This field is required" not in html
    assert not VisitRecord.objects.exists()
    checked_in_appointment.refresh_from_db()
    assert checked_in_appointment.status == Appointment.Status.CHECKED_IN


def test_the_added_line_is_saved_with_the_others(client, complete_url):
    client.post(complete_url, {**RECORD, "rx-add": "1"})

    response = client.post(complete_url, {**RECORD, "rx-TOTAL_FORMS": "3", **ATORVASTATIN})

    assert response.status_code == 302
    record = VisitRecord.objects.get()
    assert list(record.prescriptions.values_list("medicine", flat=True)) == [
        "Aspirin",
        "Glyceryl trinitrate spray",
        "Atorvastatin",
    ]


def test_the_page_carries_the_blank_line_its_script_copies(client, complete_url):
    html = client.get(complete_url).content.decode()

    template = re.search(r"<template data-formset-empty>(.*?)</template>", html, re.S).group(1)
    assert 'name="rx-__prefix__-medicine"' in template
    assert 'name="rx-__prefix__-DELETE"' in template
    assert 'name="rx-add"' in html  # the button the script takes over
    assert re.search(r'<script src="[^"]*js/formset(\.[0-9a-f]+)?\.js"', html)


def test_a_line_added_by_the_script_is_saved(client, complete_url):
    # What the browser sends after the script added a third line in place: one more form.
    response = client.post(complete_url, {**RECORD, "rx-TOTAL_FORMS": "3", **ATORVASTATIN})

    assert response.status_code == 302
    assert VisitRecord.objects.get().prescriptions.count() == 3


def test_blank_lines_are_not_marked_required_and_filled_ones_are(client, complete_url):
    html = client.get(complete_url).content.decode()
    for n in (0, 1):
        for name in ("medicine", "dose", "frequency"):
            assert not marked_required(html, f"id_rx-{n}-{name}"), (n, name)
    assert marked_required(html, "id_diagnosis")  # the record's own required fields still are

    typed = {**RECORD, "rx-1-medicine": "", "rx-1-dose": "", "rx-1-frequency": "", "rx-add": "1"}
    typed |= {"rx-1-duration": "", "rx-1-instructions": ""}
    html = client.post(complete_url, typed).content.decode()

    assert [marked_required(html, f"id_rx-0-{n}") for n in ("medicine", "dose", "frequency")] == [
        True,
        True,
        True,
    ]
    assert not marked_required(html, "id_rx-0-duration")
    assert not marked_required(html, "id_rx-1-medicine")
    assert not marked_required(html, "id_rx-2-medicine")


def test_a_started_line_says_which_field_it_needs_and_blank_lines_say_nothing(client, complete_url):
    response = client.post(
        complete_url,
        {**RECORD, "rx-TOTAL_FORMS": "3", "rx-1-dose": "", "rx-1-frequency": ""},
    )

    assert response.status_code == 200
    errors = response.context["formset"].errors
    assert set(errors[1]) == {"dose", "frequency"}
    assert errors[0] == {} and errors[2] == {}
    assert marked_required(response.content.decode(), "id_rx-1-dose")
    assert not VisitRecord.objects.exists()


def test_a_new_line_ticked_remove_is_not_saved(client, complete_url):
    response = client.post(
        complete_url,
        {**RECORD, "rx-TOTAL_FORMS": "3", **ATORVASTATIN, "rx-2-DELETE": "on"},
    )

    assert response.status_code == 302
    medicines = VisitRecord.objects.get().prescriptions.values_list("medicine", flat=True)
    assert "Atorvastatin" not in medicines


def test_adding_a_line_on_the_edit_page_keeps_a_ticked_removal(client, doctor):
    record = VisitRecordFactory(author=doctor, appointment__doctor=doctor.doctor_profile)
    first, second = PrescriptionItemFactory.create_batch(2, record=record)
    url = reverse("records:record-edit", args=[record.pk])
    client.force_login(doctor)
    sent = {
        **RECORD,
        "rx-TOTAL_FORMS": "3",
        "rx-INITIAL_FORMS": "2",
        "rx-0-id": first.pk,
        "rx-0-medicine": "Paracetamol",
        "rx-0-dose": "1 g",
        "rx-0-frequency": "three times a day",
        "rx-0-DELETE": "on",
        "rx-1-id": second.pk,
        "rx-1-medicine": "Paracetamol",
        "rx-1-dose": "500 mg",
        "rx-1-frequency": "twice a day",
        **ATORVASTATIN,
    }

    added = client.post(url, {**sent, "rx-add": "1"})

    assert added.status_code == 200
    assert len(added.context["formset"].forms) == 4
    html = added.content.decode()
    assert re.search(r'name="rx-0-DELETE"[^>]*checked', html)
    assert 'value="1 g"' in html and 'value="Atorvastatin"' in html
    assert list(record.prescriptions.all()) == [first, second]  # nothing saved yet

    saved = client.post(url, {**sent, "rx-TOTAL_FORMS": "4"})

    assert saved.status_code == 302
    assert list(record.prescriptions.values_list("medicine", "dose")) == [
        ("Paracetamol", "500 mg"),
        ("Atorvastatin", "20 mg"),
    ]


def test_no_line_is_added_past_the_limit(client, complete_url):
    full = {**RECORD, "rx-TOTAL_FORMS": "30", "rx-add": "1"}

    response = client.post(complete_url, full)

    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 30
    html = response.content.decode()
    assert "A prescription has at most 30 lines." in html
    assert re.search(r'<button[^>]*name="rx-add"[^>]*disabled', html)
    assert not VisitRecord.objects.exists()


def test_thirty_one_lines_are_refused_and_nothing_is_saved(client, complete_url):
    lines = {
        f"rx-{n}-{name}": value
        for n in range(31)
        for name, value in (("medicine", f"Medicine {n}"), ("dose", "1 mg"), ("frequency", "daily"))
    }

    response = client.post(complete_url, {**RECORD, **lines, "rx-TOTAL_FORMS": "31"})

    assert response.status_code == 200
    assert "Please submit at most 30 forms." in response.content.decode()
    assert not VisitRecord.objects.exists()


@pytest.mark.parametrize("total", ["x", "-1", ""])
def test_adding_a_line_to_a_malformed_form_saves_nothing_and_does_not_fail(
    client, complete_url, total
):
    response = client.post(complete_url, {**RECORD, "rx-TOTAL_FORMS": total, "rx-add": "1"})

    assert response.status_code == 200
    assert not VisitRecord.objects.exists()
