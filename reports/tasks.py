"""Jobs of the reports app. The beat tasks only record what is due (idempotent: a second run,
or a second beat, records nothing new); each reminder, monthly report and report export is an
outbox message, run once by a worker."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from hms.lib import outbox
from reports import reminders
from reports.notifications import deliver
from scheduling.models import Appointment


@shared_task(acks_late=True)
def send_daily_reminders(day: str | None = None, kind: str = "same_day") -> int:
    """Beat: 07:00 for today's appointments ("same_day"), 18:00 for tomorrow's ("day_before").
    Creates the ledger rows and one outbox message per appointment. Returns how many."""
    if day is None:
        today = timezone.localdate()
        target = today if kind == "same_day" else today + timedelta(days=1)
    else:
        target = date.fromisoformat(day)
    ids = reminders.ledger_rows(target, kind)
    for notification_id in ids:
        outbox.enqueue(
            "reports.reminder", notification_id, key=f"reminder:{notification_id}", exists_ok=True
        )
    return len(ids)


@outbox.handler("reports.reminder")
def send_reminder(notification_id: int) -> str:
    from reports.models import SentNotification

    row = SentNotification.objects.select_related("appointment").get(pk=notification_id)
    appointment = Appointment.objects.with_related().get(pk=row.appointment_id)
    if not appointment.is_open:  # cancelled since the ledger row was made
        SentNotification.objects.filter(pk=row.pk, status="pending").update(
            status=SentNotification.Status.SKIPPED, last_error="Appointment no longer active"
        )
        return "skipped"
    if not appointment.patient.user.email:
        reminders.skip_no_email(row)
        return "skipped"
    kind = "same_day" if row.kind == SentNotification.Kind.REMINDER_SAME_DAY else "day_before"
    return deliver(row.pk, lambda: reminders.send_reminder_email(appointment, kind))


@shared_task
def send_monthly_reports(month: str | None = None) -> int:
    """Beat, on the 1st: one report message per active doctor for the previous month."""
    from reports.monthly import doctors_to_report, previous_month

    first = date.fromisoformat(month) if month else previous_month(timezone.localdate())
    ids = doctors_to_report()
    for doctor_id in ids:
        outbox.enqueue(
            "reports.monthly_report",
            doctor_id,
            first.isoformat(),
            key=f"monthly-report:{doctor_id}:{first:%Y-%m}",
            exists_ok=True,
        )
    return len(ids)


@outbox.handler("reports.monthly_report")
def send_monthly_report(doctor_id: int, month: str) -> str:
    from reports.monthly import deliver_monthly_report

    return deliver_monthly_report(doctor_id, date.fromisoformat(month))


@outbox.handler("reports.report_export")
def run_report_export(export_id: int) -> str:
    from reports.csv_reports import build_report

    return build_report(export_id)
