"""Background history exports: building the file, and removing it once it has expired."""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.jobs import enqueue_on_commit
from accounts.models import User
from clinic.models import Patient
from records.models import Export, VisitRecord

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 200


@transaction.atomic
def export_start(*, patient: Patient, by: User) -> Export:
    """Create the export row; the worker builds the file after commit."""
    from records.tasks import run_history_export

    export = Export.objects.create(
        owner=by, patient=patient, total=VisitRecord.objects.filter(patient=patient).count()
    )
    enqueue_on_commit(run_history_export, export.pk, inline_fallback=False)
    return export


def build_history_export(export_id: int) -> str:
    from records.views import history_csv_rows

    export = Export.objects.select_related("patient__user").get(pk=export_id)
    name = f"history-{export.patient_id}-{timezone.localdate().isoformat()}.csv"
    return write_export(export, lambda: history_csv_rows(export.patient), name)


def write_export(export: Export, make_rows: Callable[[], Iterable[list]], name: str) -> str:
    """Write the rows to the export's file and track its state; shared by every CSV export.

    Safe to run twice: a finished export is left alone, an interrupted one starts again."""
    if export.is_finished:
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
