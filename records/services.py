"""Writes on medical records. A visit record is never deleted; every change is a new version."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.jobs import enqueue_on_commit
from accounts.models import User
from records.models import PrescriptionItem, VisitRecord
from scheduling.models import Appointment, AppointmentEvent


class RecordError(Exception):
    """A refusal with a message fit to show the user."""


def _save_items(record: VisitRecord, items: list[dict[str, Any]], by: User) -> None:
    """Make the record's prescription lines match `items` (dicts; "id" for existing lines)."""
    existing = {item.pk: item for item in record.prescriptions.all()}
    keep = set()
    for data in items:
        data = dict(data)
        item = existing.get(data.pop("id", None)) or PrescriptionItem(record=record)
        for name, value in data.items():
            setattr(item, name, value)
        item._history_user = by
        item.full_clean()
        item.save()
        keep.add(item.pk)
    for pk, stale in existing.items():
        if pk not in keep:
            # The deleted line stays in the version history.
            stale._history_user = by
            stale.delete()


@transaction.atomic
def visit_complete(
    *, appointment: Appointment, by: User, data: dict[str, Any], items: list[dict[str, Any]]
) -> VisitRecord:
    """Write the visit record and mark the appointment completed, in one transaction."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",)).with_related().get(pk=appointment.pk)
    )
    if appointment.doctor.user_id != by.pk:
        raise RecordError("Only the appointment's doctor can complete this visit.")
    if hasattr(appointment, "visit_record"):
        raise RecordError("This visit already has a record: edit it instead.")
    if appointment.status not in Appointment.ACTIVE_STATUSES:
        raise RecordError(
            f"This appointment is {appointment.get_status_display().lower()}: it cannot be "
            "completed."
        )
    if timezone.localdate(appointment.start) > timezone.localdate():
        raise RecordError("A visit can be completed on the day of the appointment, not before.")
    record = VisitRecord(appointment=appointment, patient=appointment.patient, author=by, **data)
    record._history_user = by
    record.full_clean()
    record.save()
    _save_items(record, items, by)
    from_status = appointment.status
    appointment.status = Appointment.Status.COMPLETED
    appointment.save(update_fields=["status", "updated"])
    AppointmentEvent.objects.create(
        appointment=appointment,
        actor=by,
        action="complete",
        from_status=from_status,
        to_status=appointment.status,
        reason="Visit record written",
    )
    from records.tasks import send_visit_summary_ready

    enqueue_on_commit(send_visit_summary_ready, record.pk)
    return record


@transaction.atomic
def visit_update(
    *, record: VisitRecord, by: User, data: dict[str, Any], items: list[dict[str, Any]]
) -> VisitRecord:
    """Change a record (author only). django-simple-history keeps the previous version."""
    record = VisitRecord.objects.select_for_update().get(pk=record.pk)
    if record.author_id != by.pk:
        raise RecordError("Only the doctor who wrote this record can change it.")
    for name, value in data.items():
        setattr(record, name, value)
    record._history_user = by
    record.full_clean()
    record.save()
    _save_items(record, items, by)
    return record
