from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.models import TimeStampedModel
from clinic.models import Doctor
from scheduling.models import Appointment


class SentNotification(TimeStampedModel):
    """The idempotency ledger of reminders and monthly reports: one row per appointment and kind
    (or doctor, month and kind). A row is claimed before sending and marked sent after, so a task
    that runs twice, or two beats, send at most once."""

    class Kind(models.TextChoices):
        REMINDER_SAME_DAY = "reminder_same_day", "Reminder (same day)"
        REMINDER_DAY_BEFORE = "reminder_day_before", "Reminder (day before)"
        MONTHLY_REPORT = "monthly_report", "Monthly report"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not needed"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    doctor = models.ForeignKey(
        Doctor, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    month = models.DateField(null=True, blank=True, help_text="First day of the month reported")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind"],
                condition=Q(appointment__isnull=False),
                name="reports_sent_once_per_appointment",
            ),
            models.UniqueConstraint(
                fields=["doctor", "month", "kind"],
                condition=Q(doctor__isnull=False),
                name="reports_sent_once_per_doctor_month",
            ),
        ]
        indexes = [models.Index(fields=["status", "created"], name="reports_sent_status")]
        permissions = [("view_hospital_reports", "Can see hospital analytics and reports")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.status}"
