from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from records.models import VisitRecord


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_visit_summary_ready(record_id: int) -> None:
    """Tell the patient their visit summary is ready (no medical details in the e-mail)."""
    record = VisitRecord.objects.with_related().get(pk=record_id)
    context = {
        "record": record,
        "visit_date": timezone.localtime(record.appointment.start),
        "hospital_name": settings.HOSPITAL_NAME,
        "site": settings.HMS_BASE_URL,
    }
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Your visit summary is ready",
        body=render_to_string("emails/records/summary_ready.txt", context),
        to=[record.patient.user.email],
    )
    message.attach_alternative(
        render_to_string("emails/records/summary_ready.html", context), "text/html"
    )
    message.send()


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10)
def run_history_export(self, export_id: int) -> str:
    """Write a patient's history CSV to storage, reporting progress. Safe to run twice: a
    finished export is left alone, an interrupted one starts again from the beginning."""
    from records.exports import build_history_export

    return build_history_export(export_id)


@shared_task
def delete_expired_exports() -> int:
    from records.exports import delete_expired

    return delete_expired()


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def email_records(patient_id: int) -> bool:
    """Send the patient's history (PDF and CSV) to their verified e-mail address."""
    import csv
    import io

    from allauth.account.models import EmailAddress

    from clinic.models import Patient
    from records.pdf import history_pdf
    from records.views import history_csv_rows

    patient = Patient.objects.select_related("user").get(pk=patient_id)
    address = (
        EmailAddress.objects.filter(user=patient.user, verified=True).order_by("-primary").first()
    )
    if address is None:
        return False
    buffer = io.StringIO()
    csv.writer(buffer).writerows(history_csv_rows(patient))
    stamp = timezone.localdate().isoformat()
    context = {
        "patient": patient,
        "hospital_name": settings.HOSPITAL_NAME,
        "site": settings.HMS_BASE_URL,
    }
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Your medical records",
        body=render_to_string("emails/records/records.txt", context),
        to=[address.email],
    )
    message.attach_alternative(
        render_to_string("emails/records/records.html", context), "text/html"
    )
    message.attach(f"history-{stamp}.pdf", history_pdf(patient), "application/pdf")
    message.attach(f"history-{stamp}.csv", buffer.getvalue(), "text/csv")
    message.send()
    return True
