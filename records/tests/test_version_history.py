"""The version history of a visit record lists only real changes — the record's fields that
changed, and prescription lines added, removed or changed (with the fields that changed) — and the
reason the doctor gave for an edit."""

import re

import pytest
from django.urls import reverse

from records.models import PrescriptionItem, VisitRecord
from records.tests.conftest import RECORD
from records.tests.factories import PrescriptionItemFactory, VisitRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(client, doctor, checked_in_appointment):
    client.force_login(doctor)
    client.post(reverse("records:complete-visit", args=[checked_in_appointment.pk]), RECORD)
    return VisitRecord.objects.get()


def edit(client, record, **changes):
    items = list(record.prescriptions.order_by("pk"))
    data = {**RECORD, "rx-TOTAL_FORMS": str(len(items) + 1), "rx-INITIAL_FORMS": str(len(items))}
    for n, item in enumerate(items):
        data |= {f"rx-{n}-{name}": getattr(item, name) for name in PrescriptionItem.CONTENT_FIELDS}
        data[f"rx-{n}-id"] = item.pk
    return client.post(reverse("records:record-edit", args=[record.pk]), {**data, **changes})


def entries(client, record) -> list[str]:
    """The entries of the versions page, newest first, as text."""
    html = client.get(reverse("records:record-versions", args=[record.pk])).content.decode()
    items = html.split('<li class="list-group-item">')[1:]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in items]


def test_adding_one_medicine_shows_only_that_line(client, record):
    lines_before = PrescriptionItem.history.count()

    response = edit(
        client,
        record,
        **{"rx-2-medicine": "Atorvastatin", "rx-2-dose": "20 mg", "rx-2-frequency": "at night"},
    )

    assert response.status_code == 302
    assert PrescriptionItem.history.count() == lines_before + 1
    newest, first = entries(client, record)
    assert "Prescription line added Atorvastatin 20 mg, at night" in newest
    assert "Aspirin" not in newest and "Glyceryl" not in newest
    assert "→" not in newest  # no record field changed
    assert "Written" in first and "Aspirin" in first and "Glyceryl" in first


def test_a_changed_line_shows_the_fields_that_changed(client, record):
    edit(client, record, **{"rx-0-dose": "150 mg", "rx-0-instructions": "with food"})

    newest = entries(client, record)[0]

    assert "Prescription line changed Aspirin 150 mg" in newest
    assert "Dose : 75 mg → 150 mg" in newest
    assert "Instructions : after breakfast → with food" in newest
    assert "Frequency" not in newest and "Glyceryl" not in newest


def test_a_record_field_change_shows_its_label_and_values(client, record):
    edit(client, record, diagnosis="Unstable angina", visit_type="follow_up")

    newest = entries(client, record)[0]

    assert "Diagnosis : Stable angina → Unstable angina" in newest
    assert "Visit type : Consultation → Follow-up" in newest
    assert "Complaint" not in newest and "Prescription line" not in newest


def test_the_reason_for_the_change_is_kept_and_shown(client, record):
    reason = "Troponin came back raised: diagnosis revised."

    response = edit(client, record, diagnosis="Unstable angina", change_reason=reason)

    assert response.status_code == 302
    assert record.history.latest().history_change_reason == reason
    assert f"Reason for the change: {reason}" in entries(client, record)[0]


def test_the_reason_is_asked_on_edit_only(client, record, doctor):
    edit_page = client.get(reverse("records:record-edit", args=[record.pk])).content.decode()
    assert "Reason for the change" in edit_page
    appointment = VisitRecordFactory(
        author=doctor, appointment__doctor=doctor.doctor_profile, appointment__status="checked_in"
    ).appointment
    appointment.visit_record.delete()
    complete_page = client.get(reverse("records:complete-visit", args=[appointment.pk]))
    assert "Reason for the change" not in complete_page.content.decode()


def test_a_too_long_reason_is_refused_next_to_the_field_and_nothing_saved(client, record):
    response = edit(client, record, diagnosis="Unstable angina", change_reason="x" * 501)

    assert response.status_code == 200
    assert response.context["form"].errors["change_reason"]
    record.refresh_from_db()
    assert record.diagnosis == "Stable angina"
    assert record.history.count() == 1


def test_an_edit_that_changes_nothing_writes_no_version(client, record):
    response = edit(client, record, change_reason="Just checking")

    assert response.status_code == 302
    assert "Nothing was changed" in client.get(response.url).content.decode()
    assert record.history.count() == 1
    assert len(entries(client, record)) == 1


def test_versions_that_changed_nothing_are_not_listed(client, doctor):
    """Saves that wrote a version without a change (the record, and a line, saved as they were)
    are not shown as changes."""
    record = VisitRecordFactory(author=doctor, appointment__doctor=doctor.doctor_profile)
    line = PrescriptionItemFactory(record=record)
    record.save()
    line.save()
    client.force_login(doctor)

    shown = entries(client, record)

    assert len(shown) == 1
    assert "Written" in shown[0] and "Prescription line added Paracetamol" in shown[0]


def test_the_versions_page_does_not_query_more_with_more_changes(client, record):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("records:record-versions", args=[record.pk])).status_code
        return len(captured)

    edit(client, record, diagnosis="Unstable angina")
    few = queries()
    for n in range(4):
        edit(client, record, diagnosis=f"Revision {n}", **{"rx-0-dose": f"{n} mg"})

    assert queries() == few
    assert len(entries(client, record)) == 6
