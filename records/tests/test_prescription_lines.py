"""A prescription line is removed only when the doctor ticks it: a malformed or stale form never
deletes by omission (TOTAL_FORMS=0, -1, fewer than the existing lines, a line sent twice)."""

import pytest
from django.urls import reverse

from records.models import PrescriptionItem, VisitRecord
from records.tests.conftest import RECORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(client, doctor, checked_in_appointment):
    client.force_login(doctor)
    client.post(reverse("records:complete-visit", args=[checked_in_appointment.pk]), RECORD)
    return VisitRecord.objects.get()


def _edit(record, **overrides):
    items = list(record.prescriptions.order_by("pk"))
    data = {**RECORD, "rx-TOTAL_FORMS": "2", "rx-INITIAL_FORMS": "2"}
    for i, item in enumerate(items):
        data |= {
            f"rx-{i}-id": item.pk,
            f"rx-{i}-medicine": item.medicine,
            f"rx-{i}-dose": item.dose,
            f"rx-{i}-frequency": item.frequency,
            f"rx-{i}-duration": item.duration,
            f"rx-{i}-instructions": item.instructions,
        }
    return {**data, **overrides}


@pytest.mark.parametrize(
    "forged",
    [
        {"rx-TOTAL_FORMS": "0"},
        {"rx-TOTAL_FORMS": "-1"},
        {"rx-TOTAL_FORMS": "0", "rx-INITIAL_FORMS": "0"},
        {"rx-TOTAL_FORMS": "1", "rx-INITIAL_FORMS": "1"},
        {"rx-TOTAL_FORMS": "1"},
        {"rx-TOTAL_FORMS": "100000"},
    ],
    ids=["no-forms", "negative", "no-initial", "one-of-two", "fewer-than-initial", "absurd"],
)
def test_a_malformed_formset_is_an_error_and_nothing_is_deleted(client, record, forged):
    before = list(record.prescriptions.values_list("pk", "medicine"))

    response = client.post(
        reverse("records:record-edit", args=[record.pk]),
        _edit(record, diagnosis="Changed", **forged),
    )

    assert response.status_code == 200
    assert response.context["formset"].non_form_errors()
    record.refresh_from_db()
    assert record.diagnosis == "Stable angina"
    assert list(record.prescriptions.values_list("pk", "medicine")) == before
    assert record.history.count() == 1


def test_a_line_sent_twice_is_refused(client, record):
    items = list(record.prescriptions.order_by("pk"))

    response = client.post(
        reverse("records:record-edit", args=[record.pk]),
        _edit(record, **{"rx-1-id": items[0].pk, "rx-1-DELETE": "on"}),
    )

    assert response.status_code == 200
    assert record.prescriptions.count() == 2


def test_ticking_remove_deletes_exactly_that_line_and_keeps_it_in_history(client, record):
    items = list(record.prescriptions.order_by("pk"))

    response = client.post(
        reverse("records:record-edit", args=[record.pk]), _edit(record, **{"rx-0-DELETE": "on"})
    )

    assert response.status_code == 302
    assert list(record.prescriptions.all()) == [items[1]]
    assert PrescriptionItem.history.filter(id=items[0].pk, history_type="-").exists()


def test_saving_unchanged_lines_writes_no_new_line_versions(client, record):
    before = PrescriptionItem.history.count()

    response = client.post(
        reverse("records:record-edit", args=[record.pk]),
        _edit(record, **{"rx-1-dose": "800 mcg"}),
    )

    assert response.status_code == 302
    assert PrescriptionItem.history.count() == before + 1  # only the changed line
