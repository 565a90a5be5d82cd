"""Background history exports: building the file, and removing it once it has expired."""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clinic.models import Doctor, Patient
from hms.lib import outbox
from hms.lib.spreadsheets import csv_safe
from records import fhir
from records.models import VISIT_FIELDS, Export, PrescriptionItem, VisitRecord

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 200


@transaction.atomic
def export_start(*, patient: Patient, by: User, kind: str = "csv") -> Export:
    """Create the export row (kind "csv" or "fhir"); a worker builds the file after commit
    (records/tasks.py)."""
    export = Export.objects.create(
        owner=by,
        patient=patient,
        kind=kind,
        total=VisitRecord.objects.filter(patient=patient).count(),
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
    stamp = timezone.localdate().isoformat()
    if export.is_fhir:
        name = f"record-{export.patient_id}-{stamp}.json"
        return write_export(export, lambda: history_fhir_chunks(export.patient), name, text=True)
    name = f"history-{export.patient_id}-{stamp}.csv"
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


# Each _Visit attribute beside the lookup that fetches it, so the query and the rows cannot drift.
HISTORY_COLUMNS = {
    "pk": "pk",
    "start": "appointment__start",
    "doctor_first_name": "appointment__doctor__user__first_name",
    "doctor_last_name": "appointment__doctor__user__last_name",
    "department": "appointment__doctor__department__name",
    **{field: field for field in VISIT_FIELDS},
    "tests_done": "tests_done",
    "tests_ordered": "tests_ordered",
    "advice": "advice",
    "follow_up_on": "follow_up_on",
}
_Visit = namedtuple("_Visit", HISTORY_COLUMNS)
HISTORY_CHUNK = 500


def history_csv_rows(patient: Patient) -> Iterator[list[str]]:
    """One row per visit, fetched in chunks so memory stays flat for any history size."""
    yield CSV_HEADER
    visits = (
        VisitRecord.objects.filter(patient=patient)
        .order_by("-appointment__start")
        .values_list(*HISTORY_COLUMNS.values())
    )
    for batch in _batches(visits.iterator(chunk_size=HISTORY_CHUNK), HISTORY_CHUNK):
        prescriptions = _prescriptions_by_record([row[0] for row in batch])
        for row in batch:
            visit = _Visit._make(row)
            yield _history_row(visit, prescriptions.get(visit.pk, []))


FHIR_CHUNK = 200  # visits in memory at once; each entry is built and written, then dropped


def history_fhir_chunks(patient: Patient) -> Iterator[str]:
    """The patient's record as one FHIR R4 Bundle (JSON), a piece at a time: the envelope is
    written here and each entry by fhir.resources, one chunk of visits in memory at a time."""
    head, tail = fhir.bundle_envelope()
    yield head + fhir.entry(fhir.patient_resource(patient))
    doctors = Doctor.objects.with_related().filter(appointments__visit_record__patient=patient)
    for doctor in doctors.distinct().order_by("pk"):
        yield "".join("," + fhir.entry(r) for r in fhir.practitioner_resources(doctor))
    yield "".join("," + fhir.entry(r) for r in fhir.profile_resources(patient))
    visits = (
        VisitRecord.objects.filter(patient=patient)
        .order_by("appointment__start")
        .values_list(*fhir.VISIT_COLUMNS.values())
    )
    for batch in _batches(visits.iterator(chunk_size=FHIR_CHUNK), FHIR_CHUNK):
        lines = _fhir_lines_by_record([row[0] for row in batch])
        for row in batch:
            visit = fhir.Visit(*row, prescriptions=lines.get(row[0], []))
            yield "".join("," + fhir.entry(r) for r in fhir.visit_resources(visit, patient))
    yield tail


def _fhir_lines_by_record(record_ids: list[int]) -> dict[int, list]:
    """Each record's prescription lines as plain values for the FHIR builders (one query)."""
    lines: dict[int, list] = {}
    items = PrescriptionItem.objects.filter(record_id__in=record_ids).order_by("pk")
    for line in items.values_list(*fhir.LINE_COLUMNS):
        lines.setdefault(line[1], []).append(fhir.Line._make(line))
    return lines


def _batches(items: Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of `size` items; the last one may be shorter."""
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _prescriptions_by_record(record_ids: list[int]) -> dict[int, list[str]]:
    """Each record's prescription items as "medicine dose frequency duration" (one query)."""
    prescriptions: dict[int, list[str]] = {}
    for record_id, medicine, dose, frequency, duration in PrescriptionItem.objects.filter(
        record_id__in=record_ids
    ).values_list("record_id", "medicine", "dose", "frequency", "duration"):
        prescriptions.setdefault(record_id, []).append(
            " ".join(filter(None, [medicine, dose, frequency, duration]))
        )
    return prescriptions


def _history_row(visit: _Visit, prescriptions: list[str]) -> list[str]:
    """The CSV cells of one visit, in CSV_HEADER order, each made safe for spreadsheets."""
    return [
        csv_safe(v)
        for v in (
            timezone.localtime(visit.start).strftime("%Y-%m-%d %H:%M"),
            f"Dr {visit.doctor_first_name} {visit.doctor_last_name}",
            visit.department,
            visit.visit_type,
            visit.complaint,
            visit.diagnosis,
            f"{visit.bp_systolic}/{visit.bp_diastolic}" if visit.bp_systolic else "",
            visit.pulse or "",
            visit.temperature_c or "",
            visit.spo2 or "",
            visit.weight_kg or "",
            visit.tests_done,
            visit.tests_ordered,
            visit.advice,
            visit.follow_up_on or "",
            "; ".join(prescriptions),
        )
    ]


def write_export(
    export: Export, make_rows: Callable[[], Iterable], name: str, *, text: bool = False
) -> str:
    """Write the rows to the export's file and track its state; shared by every CSV export
    and (`text`: the rows are pieces of text, written as they are) the FHIR export.

    Safe to run twice: a finished export is left alone; an interrupted or failed one (the outbox
    retries it) starts again."""
    if export.status in (Export.Status.DONE, Export.Status.EXPIRED):
        return export.status
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, progress=0)
    try:
        # A temporary file, not memory: an export of any size costs the worker one chunk.
        with tempfile.TemporaryFile() as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            write = out.write if text else csv.writer(out).writerow
            for done, row in enumerate(make_rows()):
                write(row)
                if done and done % PROGRESS_EVERY == 0:
                    Export.objects.filter(pk=export.pk).update(progress=done)
                    outbox.renew_claim()  # still at work: nobody else may take the message
            out.flush()
            out.detach()
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
