"""Hospital CSV reports for a date range: doctor appointments and patient treatments.

Rows come from the database in chunks and are written to a temporary file by a Celery worker
(progress on the Export row), or streamed to stdout by `manage.py export_report`. Every cell is
protected against spreadsheet formula injection."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from hms.lib import outbox
from hms.lib.spreadsheets import csv_safe
from records.exports import write_export
from records.models import Export, VisitRecord
from scheduling.models import Appointment

KINDS = ("appointments", "treatments")
PROGRESS_EVERY = 500


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
    )


def count_rows(kind: str, first: date, last: date, doctor_id: int | None = None) -> int:
    return _queryset(kind, first, last, doctor_id).count()


def _queryset(kind: str, first: date, last: date, doctor_id: int | None):
    start, end = _bounds(first, last)
    if kind == "appointments":
        qs = Appointment.objects.filter(start__gte=start, start__lt=end)
        if doctor_id:
            qs = qs.filter(doctor_id=doctor_id)
        return qs.order_by("start", "pk")
    qs = VisitRecord.objects.filter(appointment__start__gte=start, appointment__start__lt=end)
    if doctor_id:
        qs = qs.filter(appointment__doctor_id=doctor_id)
    return qs.order_by("appointment__start", "pk")


APPOINTMENT_HEADER = (
    "Start",
    "End",
    "Status",
    "Doctor",
    "Department",
    "Patient",
    "Patient e-mail",
    "Reason",
    "Cancel reason",
)
APPOINTMENT_FIELDS = (
    "start",
    "end",
    "status",
    "doctor__user__first_name",
    "doctor__user__last_name",
    "doctor__department__name",
    "patient__user__first_name",
    "patient__user__last_name",
    "patient__user__email",
    "reason",
    "cancel_reason",
)
TREATMENT_HEADER = (
    "Date",
    "Doctor",
    "Department",
    "Patient",
    "Patient e-mail",
    "Visit type",
    "Diagnosis",
    "Tests ordered",
    "Follow-up",
)
TREATMENT_FIELDS = (
    "appointment__start",
    "appointment__doctor__user__first_name",
    "appointment__doctor__user__last_name",
    "appointment__doctor__department__name",
    "patient__user__first_name",
    "patient__user__last_name",
    "patient__user__email",
    "visit_type",
    "diagnosis",
    "tests_ordered",
    "follow_up_on",
)
CHUNK = 2000


def rows(kind: str, first: date, last: date, doctor_id: int | None = None) -> Iterator[list]:
    """The report of `kind` for the range: its header, then one row per appointment or visit."""
    qs = _queryset(kind, first, last, doctor_id)
    if kind == "appointments":
        yield from _appointment_rows(qs)
    else:
        yield from _treatment_rows(qs)


def _appointment_rows(qs: QuerySet) -> Iterator[list]:
    """Header, then one row per appointment (times in the hospital's zone)."""
    yield list(APPOINTMENT_HEADER)
    for s, e, status, df, dl, dept, pf, pl, email, reason, cancel in qs.values_list(
        *APPOINTMENT_FIELDS
    ).iterator(chunk_size=CHUNK):
        yield _safe_row(
            timezone.localtime(s).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(e).strftime("%H:%M"),
            status,
            f"Dr {df} {dl}",
            dept,
            f"{pf} {pl}",
            email,
            reason,
            cancel,
        )


def _treatment_rows(qs: QuerySet) -> Iterator[list]:
    """Header, then one row per visit record (dates in the hospital's zone)."""
    yield list(TREATMENT_HEADER)
    for s, df, dl, dept, pf, pl, email, vtype, diagnosis, ordered, follow in qs.values_list(
        *TREATMENT_FIELDS
    ).iterator(chunk_size=CHUNK):
        yield _safe_row(
            timezone.localtime(s).strftime("%Y-%m-%d %H:%M"),
            f"Dr {df} {dl}",
            dept,
            f"{pf} {pl}",
            email,
            vtype,
            diagnosis,
            ordered,
            follow or "",
        )


def _safe_row(*cells) -> list:
    """The cells as a CSV row, each protected against spreadsheet formula injection."""
    return [csv_safe(v) for v in cells]


@transaction.atomic
def report_start(*, kind: str, first: date, last: date, doctor_id: int | None, by: User) -> Export:
    """Create the export row; a worker builds the file after commit (reports/tasks.py)."""
    export = Export.objects.create(
        owner=by,
        kind=kind,
        total=count_rows(kind, first, last, doctor_id),
        params={"from": first.isoformat(), "to": last.isoformat(), "doctor": doctor_id},
    )
    outbox.enqueue("reports.report_export", export.pk, key=f"export:{export.pk}")
    return export


def build_report(export_id: int) -> str:
    export = Export.objects.get(pk=export_id)
    first = date.fromisoformat(export.params["from"])
    last = date.fromisoformat(export.params["to"])
    return write_export(
        export,
        lambda: rows(export.kind, first, last, export.params.get("doctor")),
        f"{export.kind}-{first}-{last}.csv",
    )
