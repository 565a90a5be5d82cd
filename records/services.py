"""Writes on medical records. A visit record is never deleted; every change is a new version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

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


def _changed_items(
    record: VisitRecord, items: list[dict[str, Any]], deleted: list[int]
) -> tuple[list[PrescriptionItem], list[PrescriptionItem]]:
    """The prescription lines to save (new ones, and existing ones whose content changed, with
    the new values set) and to delete. `items` are kept or new lines (dicts, "id" for existing
    ones), `deleted` the ids of lines to remove. Every existing line must be in one of the two:
    a line is only ever deleted because someone asked, never because it was left out."""
    existing = {item.pk: item for item in record.prescriptions.all()}
    named = [data.get("id") for data in items if data.get("id")] + list(deleted)
    if sorted(named) != sorted(existing):
        raise RecordError(INCOMPLETE_LINES)
    to_save = []
    for data in items:
        data = dict(data)
        item = existing.get(data.pop("id", None)) or PrescriptionItem(record=record)
        if item.pk and all(getattr(item, name) == value for name, value in data.items()):
            continue  # unchanged: no new version
        for name, value in data.items():
            setattr(item, name, value)
        to_save.append(item)
    return to_save, [existing[pk] for pk in deleted]


def _write_items(
    to_save: list[PrescriptionItem], to_delete: list[PrescriptionItem], by: User, at: datetime
) -> None:
    """Save and delete lines, their versions dated `at`: the moment of the record's version, so
    the version history shows them as part of the same change."""
    for item in to_save:
        item._history_user, item._history_date = by, at
        item.full_clean()
        item.save()
    for item in to_delete:
        # The deleted line stays in the version history.
        item._history_user, item._history_date = by, at
        item.delete()


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
    record._history_user, record._history_date = by, timezone.now()
    record.full_clean()
    record.save()
    _write_items(*_changed_items(record, items, []), by, record._history_date)
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
    reason: str = "",
) -> bool:
    """Change a record (author only): `items` kept or new prescription lines, `deleted_items`
    the ids of lines to remove, `reason` the doctor's reason, kept on the new version.
    django-simple-history keeps the previous version. Returns whether anything changed: an edit
    that changes nothing writes no version."""
    record = VisitRecord.objects.select_for_update().get(pk=record.pk)
    if record.author_id != by.pk:
        raise RecordError("Only the doctor who wrote this record can change it.")
    to_save, to_delete = _changed_items(record, items, deleted_items)
    changed = [name for name, value in data.items() if getattr(record, name) != value]
    if not (changed or to_save or to_delete):
        return False
    for name, value in data.items():
        setattr(record, name, value)
    record._history_user, record._history_date = by, timezone.now()
    record._change_reason = reason.strip() or None
    record.full_clean()
    record.save()
    _write_items(to_save, to_delete, by, record._history_date)
    return True
