"""The waitlist: patients waiting for an earlier time, and the offers (holds) of freed slots.

Imported by scheduling/models.py (Django finds the models there); kept apart because models.py
is near its size limit.
"""

from __future__ import annotations

import secrets
from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import TimeStampedModel
from clinic.models import Department, Doctor, Patient

NOON = time(12)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class WaitlistEntryQuerySet(models.QuerySet):
    def waiting(self) -> WaitlistEntryQuerySet:
        return self.filter(status=WaitlistEntry.Status.WAITING)

    def current(self) -> WaitlistEntryQuerySet:
        """Waiting entries whose dates have not all passed (what lists show)."""
        return self.waiting().filter(last_day__gte=timezone.localdate())

    def with_related(self) -> WaitlistEntryQuerySet:
        return self.select_related("patient__user", "doctor__user", "department")


class WaitlistEntry(TimeStampedModel):
    """A patient waiting for a time with a doctor, or with any doctor of a department, between
    two dates. Offers go to entries in the order they joined (FIFO)."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        BOOKED = "booked", "Booked"
        LEFT = "left", "Left the waitlist"

    class TimeOfDay(models.TextChoices):
        ANY = "any", "Any time"
        MORNING = "morning", "Morning (before 12:00)"
        AFTERNOON = "afternoon", "Afternoon (from 12:00)"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="waitlist")
    doctor = models.ForeignKey(
        Doctor, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_day = models.DateField()
    last_day = models.DateField()
    time_of_day = models.CharField(max_length=10, choices=TimeOfDay.choices, default="any")
    status = models.CharField(max_length=10, choices=Status.choices, default="waiting")
    joined_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at", "pk"]
        indexes = [models.Index(fields=["status", "joined_at"], name="sched_wait_status_joined")]
        constraints = [
            models.CheckConstraint(
                condition=Q(doctor__isnull=False, department__isnull=True)
                | Q(doctor__isnull=True, department__isnull=False),
                name="sched_wait_doctor_or_department",
            ),
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="sched_wait_days_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} waiting for {self.wanted}"

    @property
    def wanted(self) -> str:
        """Whom the patient waits for, in words."""
        if self.doctor_id:
            return self.doctor.display_name
        return f"any doctor of {self.department.name}"

    def matches(self, doctor: Doctor, start) -> bool:
        """Whether a slot of `doctor` at `start` is what this entry waits for."""
        local = timezone.localtime(start)
        if not self.first_day <= local.date() <= self.last_day:
            return False
        if self.doctor_id and self.doctor_id != doctor.pk:
            return False
        if not self.doctor_id and self.department_id != doctor.department_id:
            return False
        if self.time_of_day == self.TimeOfDay.MORNING:
            return local.time() < NOON
        if self.time_of_day == self.TimeOfDay.AFTERNOON:
            return local.time() >= NOON
        return True


class WaitlistOfferQuerySet(models.QuerySet):
    def live(self, now=None) -> WaitlistOfferQuerySet:
        """Offers that hold their slot: offered and not yet expired."""
        now = now or timezone.now()
        return self.filter(status=WaitlistOffer.Status.OFFERED, expires_at__gt=now)

    def with_related(self) -> WaitlistOfferQuerySet:
        return self.select_related("entry__patient__user", "doctor__user", "doctor__department")


class WaitlistOffer(TimeStampedModel):
    """A freed slot offered to one waitlist entry and held for it until `expires_at`. Kept after
    the outcome (accepted, declined, expired, or void when the entry left or the slot went)."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        VOID = "void", "Void"

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.PROTECT, related_name="offers")
    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default="offered")
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    token = models.CharField(max_length=40, unique=True, default=new_token)
    appointment = models.ForeignKey(
        "scheduling.Appointment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = WaitlistOfferQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"], name="sched_offer_status_expiry")]
        constraints = [
            # One live hold per slot: two workers offering the same freed slot cannot both win.
            models.UniqueConstraint(
                fields=["doctor", "start"],
                condition=Q(status="offered"),
                name="sched_offer_one_hold_per_slot",
            ),
            # One live offer per entry: a second freed slot goes to the next in line.
            models.UniqueConstraint(
                fields=["entry"], condition=Q(status="offered"), name="sched_offer_one_per_entry"
            ),
        ]

    def __str__(self) -> str:
        at = timezone.localtime(self.start)
        return f"{self.get_status_display()}: {self.doctor} {at:%d %b %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.OFFERED and self.expires_at > timezone.now()
