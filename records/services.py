"""Writes on medical records. A visit record is never deleted; every change is a new version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from accounts.models import User
from hms.lib import outbox
from records.models import PrescriptionItem, VisitRecord
from scheduling.models import Appointment
from scheduling.services import NotAllowed, appointment_transition


class RecordError(Exception):
    """A refusal with a message fit to show the user."""


INCOMPLETE_LINES = (
    "The prescription changed meanwhile or arrived incomplete: nothing was saved. "
    "Please reload the page and try again."
)


def _save_items(
    record: VisitRecord, items: list[dict[str, Any]], deleted: list[int], by: User
) -> None:
    """Save the prescription lines: `items` are kept or new lines (dicts, "id" for existing
    ones), `deleted` the ids of lines to remove. Every existing line must be in one of the two:
    a line is only ever deleted because someone asked, never because it was left out."""
    existing = {item.pk: item for item in record.prescriptions.all()}
    named = [data.get("id") for data in items if data.get("id")] + list(deleted)
    if sorted(named) != sorted(existing):
        raise RecordError(INCOMPLETE_LINES)
    for data in items:
        data = dict(data)
        item = existing.get(data.pop("id", None)) or PrescriptionItem(record=record)
        if item.pk and all(getattr(item, name) == value for name, value in data.items()):
            continue  # unchanged: no new version
        for name, value in data.items():
            setattr(item, name, value)
        item._history_user = by
        item.full_clean()
        item.save()
    for pk in deleted:
        # The deleted line stays in the version history.
        existing[pk]._history_user = by
        existing[pk].delete()


@transaction.atomic
def visit_complete(
    *,
    appointment: Appointment,
    by: User,
    data: dict[str, Any],
    items: list[dict[str, Any]],
    now: datetime | None = None,
) -> VisitRecord:
    """Write the visit record and mark the appointment completed, in one transaction. The
    status change is the status machine's (scheduling.services.appointment_transition): only
    the appointment's doctor, on the day of the visit or later, while it is booked or checked
    in."""
    if VisitRecord.objects.filter(appointment_id=appointment.pk).exists():
        raise RecordError("This visit already has a record: edit it instead.")
    try:
        appointment = appointment_transition(
            appointment=appointment,
            action="complete",
            by=by,
            reason="Visit record written",
            now=now,
        )
    except NotAllowed as exc:
        raise RecordError(_why_not_complete(appointment, by, now)) from exc
    record = VisitRecord(appointment=appointment, patient=appointment.patient, author=by, **data)
    record._history_user = by
    record.full_clean()
    record.save()
    _save_items(record, items, [], by)
    if appointment.patient.user.email:  # a walk-in without an address is told at the desk
        outbox.enqueue("records.visit_summary_ready", record.pk, key=f"visit-summary:{record.pk}")
    return record


def _why_not_complete(appointment: Appointment, by: User, now: datetime | None) -> str:
    if appointment.doctor.user_id != by.pk:
        return "Only the appointment's doctor can complete this visit."
    if appointment.status not in Appointment.OPEN_STATUSES:
        status = appointment.get_status_display().lower()
        return f"This appointment is {status}: it cannot be completed."
    return "A visit can be completed on the day of the appointment, not before."


@transaction.atomic
def visit_update(
    *,
    record: VisitRecord,
    by: User,
    data: dict[str, Any],
    items: list[dict[str, Any]],
    deleted_items: list[int],
) -> VisitRecord:
    """Change a record (author only): `items` kept or new prescription lines, `deleted_items`
    the ids of lines to remove. django-simple-history keeps the previous version."""
    record = VisitRecord.objects.select_for_update().get(pk=record.pk)
    if record.author_id != by.pk:
        raise RecordError("Only the doctor who wrote this record can change it.")
    for name, value in data.items():
        setattr(record, name, value)
    record._history_user = by
    record.full_clean()
    record.save()
    _save_items(record, items, deleted_items, by)
    return record
