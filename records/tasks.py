"""Background work of the records app: outbox handlers (run once each by a worker) and the
nightly clean-up. They call the modules that do the work (exports, pdf)."""

from __future__ import annotations

import csv
import io

from celery import shared_task
from django.utils import timezone

from hms.lib import emails, outbox
from records.models import VisitRecord


@outbox.handler("records.visit_summary_ready")
def send_visit_summary_ready(record_id: int) -> None:
    """Tell the patient their visit summary is ready (no medical details in the e-mail)."""
    record = VisitRecord.objects.with_related().get(pk=record_id)
    if not record.patient.user.email:
        return None
    emails.send(
        "records/summary_ready",
        to=record.patient.user.email,
        subject="Your visit summary is ready",
        context={"record": record, "visit_date": timezone.localtime(record.appointment.start)},
    )


@outbox.handler("records.history_export")
def run_history_export(export_id: int) -> str:
    """Write a patient's history CSV to storage, reporting progress. Safe to run twice: a
    finished export is left alone, an interrupted one starts again from the beginning."""
    from records.exports import build_history_export

    return build_history_export(export_id)


@outbox.handler("records.email_records")
def email_records(patient_id: int) -> bool:
    """Send the patient's history (PDF and CSV) to their verified e-mail address."""
    from clinic.models import Patient
    from records.exports import history_csv_rows, verified_address
    from records.pdf import history_pdf

    patient = Patient.objects.select_related("user").get(pk=patient_id)
    address = verified_address(patient)
    if address is None:
        return False
    buffer = io.StringIO()
    csv.writer(buffer).writerows(history_csv_rows(patient))
    stamp = timezone.localdate().isoformat()
    emails.send(
        "records/records",
        to=address,
        subject="Your medical records",
        context={"patient": patient},
        attachments=[
            (f"history-{stamp}.pdf", history_pdf(patient), "application/pdf"),
            (f"history-{stamp}.csv", buffer.getvalue(), "text/csv"),
        ],
    )
    return True


@shared_task
def delete_expired_exports() -> int:
    """Nightly: expired export files, and photos kept for forms nobody came back to."""
    from hms.lib.forms import delete_stale_kept_uploads
    from records.exports import delete_expired

    delete_stale_kept_uploads()
    return delete_expired()
