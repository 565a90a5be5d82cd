"""Appointment reminders: the same morning, and (optionally) the day before."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from hms.lib import emails
from reports.models import SentNotification
from reports.notifications import ensure_row
from scheduling.models import Appointment
from scheduling.slots import day_bounds

KINDS = {
    "same_day": SentNotification.Kind.REMINDER_SAME_DAY,
    "day_before": SentNotification.Kind.REMINDER_DAY_BEFORE,
}


def due_appointments(day: date, kind: str):
    """Open appointments on `day` (hospital time) with no reminder of `kind` sent yet."""
    start, end = day_bounds(day)
    sent = SentNotification.objects.filter(
        kind=KINDS[kind], status=SentNotification.Status.SENT
    ).values("appointment_id")
    return (
        Appointment.objects.open()
        .with_related()
        .with_attention()
        # A booking kept over the doctor's leave or a holiday gets no "see you then" reminder:
        # it is flagged for the hospital office to move or cancel.
        .filter(start__gte=start, start__lt=end, on_leave=False, on_holiday=False)
        .exclude(pk__in=sent)
        .order_by("start")
    )


# Why a reminder was not sent to a patient registered without an e-mail address (a walk-in).
# Reminders go by e-mail only: HMS has no SMS channel, so these patients get none.
NO_EMAIL = "No e-mail address: patient has no reminder channel"


def ledger_rows(day: date, kind: str) -> list[int]:
    """Create (or find) the ledger row of every due appointment; return the ids of those to send.

    Appointments of patients without an e-mail address get a row marked skipped, with the reason,
    and are not returned; once an address is added, the next run sends as usual."""
    ids = []
    for appointment in due_appointments(day, kind):
        row = ensure_row(appointment=appointment, kind=KINDS[kind])
        if appointment.patient.user.email:
            _unskip_no_email(row)
            ids.append(row.pk)
        else:
            skip_no_email(row)
    return ids


def skip_no_email(row: SentNotification) -> None:
    SentNotification.objects.filter(
        pk=row.pk, status__in=[SentNotification.Status.PENDING, SentNotification.Status.FAILED]
    ).update(status=SentNotification.Status.SKIPPED, last_error=NO_EMAIL)


def _unskip_no_email(row: SentNotification) -> None:
    SentNotification.objects.filter(
        pk=row.pk, status=SentNotification.Status.SKIPPED, last_error=NO_EMAIL
    ).update(status=SentNotification.Status.PENDING, last_error="")


def send_reminder_email(appointment: Appointment, kind: str) -> None:
    local_start = timezone.localtime(appointment.start)
    when = "today" if kind == "same_day" else "tomorrow"
    emails.send(
        "reports/reminder",
        to=appointment.patient.user.email,
        subject=f"Reminder: your appointment {when} at {local_start:%H:%M}",
        context={"appointment": appointment, "local_start": local_start, "kind": kind},
    )


def ledger_rows_for(appointment: Appointment, kind: str) -> int:
    return ensure_row(appointment=appointment, kind=KINDS[kind]).pk
