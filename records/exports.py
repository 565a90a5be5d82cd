"""Background history exports: building the file, and removing it once it has expired."""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clinic.models import Patient
from hms.lib import outbox
from hms.lib.spreadsheets import csv_safe
from records.models import Export, PrescriptionItem, VisitRecord

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 200


@transaction.atomic
def export_start(*, patient: Patient, by: User) -> Export:
    """Create the export row; a worker builds the file after commit (records/tasks.py)."""
    export = Export.objects.create(
        owner=by, patient=patient, total=VisitRecord.objects.filter(patient=patient).count()
    )
    outbox.enqueue("records.history_export", export.pk, key=f"export:{export.pk}")
    return export


def verified_address(patient: Patient) -> str | None:
    """The patient's verified e-mail address (primary first), or None."""
    from allauth.account.models import EmailAddress

    return (
        EmailAddress.objects.filter(user=patient.user, verified=True)
        .order_by("-primary")
        .values_list("email", flat=True)
        .first()
    )


@transaction.atomic
def records_email_start(*, patient: Patient) -> None:
    """Queue the e-mail of the patient's history (PDF and CSV) to their verified address."""
    outbox.enqueue("records.email_records", patient.pk)


def build_history_export(export_id: int) -> str:
    export = Export.objects.select_related("patient__user").get(pk=export_id)
    name = f"history-{export.patient_id}-{timezone.localdate().isoformat()}.csv"
    return write_export(export, lambda: history_csv_rows(export.patient), name)


CSV_HEADER = [
    "Date",
    "Doctor",
    "Department",
    "Visit type",
    "Complaint",
    "Diagnosis",
    "Blood pressure",
    "Pulse",
    "Temperature (C)",
    "SpO2 (%)",
    "Weight (kg)",
    "Tests done",
    "Tests ordered",
    "Advice",
    "Follow-up",
    "Prescriptions",
]


def history_csv_rows(patient: Patient) -> Iterator[list[str]]:
    """One row per visit, fetched in chunks so memory stays flat for any history size."""
    yield CSV_HEADER
    records = (
        VisitRecord.objects.filter(patient=patient)
        .order_by("-appointment__start")
        .values_list(
            "pk",
            "appointment__start",
            "appointment__doctor__user__first_name",
            "appointment__doctor__user__last_name",
            "appointment__doctor__department__name",
            "visit_type",
            "complaint",
            "diagnosis",
            "bp_systolic",
            "bp_diastolic",
            "pulse",
            "temperature_c",
            "spo2",
            "weight_kg",
            "tests_done",
            "tests_ordered",
            "advice",
            "follow_up_on",
        )
    )
    batch: list = []

    def flush(rows):
        prescriptions: dict[int, list[str]] = {}
        for record_id, medicine, dose, frequency, duration in PrescriptionItem.objects.filter(
            record_id__in=[r[0] for r in rows]
        ).values_list("record_id", "medicine", "dose", "frequency", "duration"):
            prescriptions.setdefault(record_id, []).append(
                " ".join(filter(None, [medicine, dose, frequency, duration]))
            )
        for r in rows:
            (
                pk,
                start,
                first,
                last,
                department,
                vtype,
                complaint,
                diagnosis,
                sys_,
                dia,
                pulse,
                temp,
                spo2,
                weight,
                done,
                ordered,
                advice,
                follow_up,
            ) = r
            yield [
                csv_safe(v)
                for v in (
                    timezone.localtime(start).strftime("%Y-%m-%d %H:%M"),
                    f"Dr {first} {last}",
                    department,
                    vtype,
                    complaint,
                    diagnosis,
                    f"{sys_}/{dia}" if sys_ else "",
                    pulse or "",
                    temp or "",
                    spo2 or "",
                    weight or "",
                    done,
                    ordered,
                    advice,
                    follow_up or "",
                    "; ".join(prescriptions.get(pk, [])),
                )
            ]

    for row in records.iterator(chunk_size=500):
        batch.append(row)
        if len(batch) == 500:
            yield from flush(batch)
            batch = []
    if batch:
        yield from flush(batch)


def write_export(export: Export, make_rows: Callable[[], Iterable[list]], name: str) -> str:
    """Write the rows to the export's file and track its state; shared by every CSV export.

    Safe to run twice: a finished export is left alone; an interrupted or failed one (the outbox
    retries it) starts again."""
    if export.status in (Export.Status.DONE, Export.Status.EXPIRED):
        return export.status
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, progress=0)
    try:
        # A temporary file, not memory: an export of any size costs the worker one chunk.
        with tempfile.TemporaryFile() as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            writer = csv.writer(text)
            for done, row in enumerate(make_rows()):
                writer.writerow(row)
                if done and done % PROGRESS_EVERY == 0:
                    Export.objects.filter(pk=export.pk).update(progress=done)
                    outbox.renew_claim()  # still at work: nobody else may take the message
            text.flush()
            text.detach()
            raw.seek(0)
            export.file.save(name, File(raw), save=False)
    except Exception as exc:
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.FAILED, error=str(exc)[:300]
        )
        raise
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.DONE,
        progress=export.total,
        file=export.file.name,
        expires_at=timezone.now() + timedelta(days=settings.HMS_EXPORT_TTL_DAYS),
    )
    return Export.Status.DONE


def delete_expired(now=None) -> int:
    """Delete the files of expired exports (rows are kept as the record that they existed)."""
    now = now or timezone.now()
    count = 0
    for export in Export.objects.filter(status=Export.Status.DONE, expires_at__lte=now):
        if export.file:
            export.file.delete(save=False)
        Export.objects.filter(pk=export.pk).update(status=Export.Status.EXPIRED, file="")
        count += 1
    logger.info("Deleted %s expired export file(s)", count)
    return count
