"""Periodic and on-demand jobs of the reports app. Tasks take ids, are idempotent, retry."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from reports import reminders
from reports.notifications import deliver
from scheduling.models import Appointment


@shared_task(acks_late=True)
def send_daily_reminders(day: str | None = None, kind: str = "same_day") -> int:
    """Beat: 07:00 for today's appointments ("same_day"), 18:00 for tomorrow's ("day_before").
    Creates the ledger rows, then one delivery task per appointment. Returns how many queued."""
    if day is None:
        today = timezone.localdate()
        target = today if kind == "same_day" else today + timedelta(days=1)
    else:
        target = date.fromisoformat(day)
    ids = reminders.ledger_rows(target, kind)
    for notification_id in ids:
        send_reminder.delay(notification_id)
    return len(ids)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=60,
    retry_backoff_max=1800,
    max_retries=6,
)
def send_reminder(self, notification_id: int) -> str:
    from reports.models import SentNotification

    row = SentNotification.objects.select_related("appointment").get(pk=notification_id)
    appointment = Appointment.objects.with_related().get(pk=row.appointment_id)
    if not appointment.is_open:  # cancelled since the ledger row was made
        SentNotification.objects.filter(pk=row.pk, status="pending").update(
            status=SentNotification.Status.SKIPPED, last_error="Appointment no longer active"
        )
        return "skipped"
    kind = "same_day" if row.kind == SentNotification.Kind.REMINDER_SAME_DAY else "day_before"
    return deliver(row.pk, lambda: reminders.send_reminder_email(appointment, kind))


@shared_task
def send_monthly_reports(month: str | None = None) -> int:
    """Beat, on the 1st: one report task per active doctor for the previous month."""
    from reports.monthly import doctors_to_report, previous_month

    first = date.fromisoformat(month) if month else previous_month(timezone.localdate())
    ids = doctors_to_report()
    for doctor_id in ids:
        send_monthly_report.delay(doctor_id, first.isoformat())
    return len(ids)


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=120, max_retries=5)
def send_monthly_report(self, doctor_id: int, month: str) -> str:
    from reports.monthly import deliver_monthly_report

    return deliver_monthly_report(doctor_id, date.fromisoformat(month))


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10)
def run_report_export(self, export_id: int) -> str:
    from reports.csv_reports import build_report

    return build_report(export_id)
