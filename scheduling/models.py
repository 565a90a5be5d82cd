from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import TimeStampedModel
from clinic.models import Doctor, Patient
from scheduling.querysets import MAX_APPOINTMENT_LENGTH, AppointmentQuerySet


class WorkingHours(TimeStampedModel):
    """A weekly interval in which a doctor sees patients (hospital local time)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    history = HistoricalRecords()  # every added, changed or removed interval: who and when

    class Meta:
        verbose_name = verbose_name_plural = "working hours"
        ordering = ["doctor", "weekday", "start"]
        indexes = [models.Index(fields=["doctor", "weekday"], name="sched_hours_doctor_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="sched_hours_end_after",
                violation_error_message="The end must be after the start.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class SlotOverride(TimeStampedModel):
    """One slot switched off (or on, outside the usual hours) on one date."""

    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="slot_overrides")
    start = models.DateTimeField()
    available = models.BooleanField()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["doctor", "start"], name="sched_override_unique"),
        ]


class Leave(TimeStampedModel):
    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="leaves")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["doctor", "end"], name="sched_leave_doctor_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="sched_leave_end_after",
                violation_error_message="The end of the leave must be after its start.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.doctor} on leave {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"


class Holiday(TimeStampedModel):
    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%d %b %Y})"


class Successor(NamedTuple):
    pk: int
    start: datetime


class Appointment(TimeStampedModel):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CHECKED_IN = "checked_in", "Checked in"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    # Two different ideas: which appointments may still change (check in, complete, cancel, move)
    # and which hold their time so that nobody else can book it. A completed or missed visit
    # keeps its time: completing a visit early must not free the slot for a second booking.
    OPEN_STATUSES = (Status.BOOKED, Status.CHECKED_IN)
    OCCUPYING_STATUSES = (Status.BOOKED, Status.CHECKED_IN, Status.COMPLETED, Status.NO_SHOW)

    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, related_name="appointments")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    reason = models.CharField("reason for visit", max_length=500, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    rescheduled_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rescheduled_to"
    )
    # Calendar feeds follow one event through moves and changes: a move starts a new row, so
    # the first row of the chain names the event (UID) and the counter only grows (SEQUENCE).
    origin = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # db_default too: code of the previous release, still serving while the migration runs,
    # inserts appointments without this column.
    sequence = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        permissions = [
            ("manage_all_appointments", "Can book, change and cancel any appointment"),
            ("manage_own_schedule", "Can manage own working hours, leave and appointments"),
            ("book_own_appointment", "Can book and manage own appointments as a patient"),
        ]
        indexes = [
            models.Index(fields=["doctor", "start"], name="sched_appt_doctor_start"),
            models.Index(fields=["patient", "start"], name="sched_appt_patient_start"),
            models.Index(fields=["start"], name="sched_appt_start"),
            models.Index(fields=["status", "start"], name="sched_appt_status_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="sched_appt_end_after"),
            # Overlap queries look back at most MAX_APPOINTMENT_LENGTH (index range scans).
            models.CheckConstraint(
                condition=Q(end__lte=F("start") + MAX_APPOINTMENT_LENGTH),
                name="sched_appt_at_most_a_day",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["booked", "checked_in", "completed", "cancelled", "no_show"]
                ),
                name="sched_appt_status_valid",
            ),
            # Two occupying appointments at the same start: refused on every database. Overlaps
            # with another start are refused on PostgreSQL by exclusion constraints (migrations
            # 0002, 0004) and on SQLite by the check in appointment_book, made inside an
            # IMMEDIATE (write-locked) transaction.
            models.UniqueConstraint(
                fields=["doctor", "start"],
                condition=Q(status__in=["booked", "checked_in", "completed", "no_show"]),
                name="sched_appt_doctor_slot_unique",
            ),
            models.UniqueConstraint(
                fields=["patient", "start"],
                condition=Q(status__in=["booked", "checked_in", "completed", "no_show"]),
                name="sched_appt_patient_slot_unique",
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.start)
        return f"{self.patient} with {self.doctor} on {local:%d %b %Y %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def attention(self) -> str:
        """ "leave" or "holiday" when this open appointment falls in the doctor's leave or on a
        hospital holiday (kept on purpose or added since), else "". Lists annotate it with
        `with_attention()`; a single appointment loaded without it asks the database. An
        appointment that is over no longer asks for a move (it is checked in, completed or missed
        from the day's list instead)."""
        if not self.is_open or self.end <= timezone.now():
            return ""
        if not hasattr(self, "on_holiday"):
            flags = (
                Appointment.objects.filter(pk=self.pk)
                .with_attention()
                .values("on_leave", "on_holiday")
                .first()
            ) or {}
            self.on_leave = flags.get("on_leave", False)
            self.on_holiday = flags.get("on_holiday", False)
        if self.on_holiday:
            return "holiday"
        return "leave" if self.on_leave else ""

    def waiting_for(self, now=None) -> timedelta | None:
        """How long a checked-in patient has been waiting (needs `with_check_in()`)."""
        checked_in_at = getattr(self, "checked_in_at", None)
        if self.status != self.Status.CHECKED_IN or checked_in_at is None:
            return None
        return max((now or timezone.now()) - checked_in_at, timedelta(0))

    @property
    def moved_to(self) -> Successor | None:
        """The appointment this cancelled one was moved to, or None. Lists annotate it with
        `with_successor()`; a single appointment loaded without it asks the database."""
        if self.status != self.Status.CANCELLED:
            return None
        if not hasattr(self, "moved_to_pk"):
            row = Appointment.objects.filter(rescheduled_from=self.pk).values("pk", "start")
            found = row.first() or {}
            self.moved_to_pk, self.moved_to_start = found.get("pk"), found.get("start")
        return Successor(self.moved_to_pk, self.moved_to_start) if self.moved_to_pk else None

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def calendar_key(self) -> int:
        """The number in this appointment's calendar UID: that of the first appointment of its
        chain of moves, so a moved appointment stays the same event in calendar apps."""
        return self.origin_id or self.pk

    # --- The status machine: which transitions exist and who may make them -----------------

    TRANSITIONS = {
        "check_in": ((Status.BOOKED,), Status.CHECKED_IN),
        # A doctor may write the record of a patient who was not checked in at the desk.
        "complete": ((Status.BOOKED, Status.CHECKED_IN), Status.COMPLETED),
        "no_show": ((Status.BOOKED,), Status.NO_SHOW),
        "cancel": ((Status.BOOKED, Status.CHECKED_IN), Status.CANCELLED),
        "reschedule": ((Status.BOOKED,), Status.CANCELLED),
    }

    ACTION_LABELS = {  # the words on each action's button, in the order buttons are shown
        "check_in": "Check in",
        "complete": "Complete visit…",
        "no_show": "No-show",
        "reschedule": "Reschedule",
        "cancel": "Cancel",
    }

    def actions_for(self, user, *, now=None) -> list[tuple[str, str]]:
        """The actions `user` may take on this appointment now, as (action, label). Completing
        is offered to the appointment's own doctor only: it means writing the visit record."""
        now = now or timezone.now()
        return [
            (action, label)
            for action, label in self.ACTION_LABELS.items()
            if self.can_transition(action, by=user, now=now)
            and (action != "complete" or self.doctor.user_id == user.pk)
        ]

    def can_transition(self, action: str, *, by, now=None) -> bool:
        """Whether `by` (None: the system) may perform `action` now. The one place these rules
        live."""
        if action not in self.TRANSITIONS or self.status not in self.TRANSITIONS[action][0]:
            return False
        now = now or timezone.now()
        if by is None:  # the system (a scheduled job): only marks a missed visit
            return action == "no_show" and now >= self.start
        if by.has_perm("scheduling.manage_all_appointments"):
            if action == "complete":  # staff do not write visit records
                return False
            return action != "no_show" or now >= self.start
        if self.doctor.user_id == by.pk and by.has_perm("scheduling.manage_own_schedule"):
            if action in ("cancel", "reschedule"):
                return self.start > now
            if action == "no_show":
                return now >= self.start
            if action == "check_in":
                return timezone.localdate(self.start) == timezone.localdate(now)
            # complete: on the day of the appointment (also before its time), or later
            return timezone.localdate(self.start) <= timezone.localdate(now)
        if self.patient.user_id == by.pk and by.has_perm("scheduling.book_own_appointment"):
            if action not in ("cancel", "reschedule") or self.status != self.Status.BOOKED:
                return False
            cutoff = timedelta(minutes=settings.HMS_PATIENT_CANCEL_CUTOFF_MINUTES)
            # Kept over the doctor's leave or a holiday: the patient may always move or cancel.
            return self.start - cutoff > now or (self.start > now and bool(self.attention))
        return False


class AppointmentEvent(models.Model):
    """Append-only history of an appointment: who did what, when and why."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.label} by {self.actor_name} at {timezone.localtime(self.at):%Y-%m-%d %H:%M}"

    # What happened, as people say it ("Checked in by Alice Morgan"): one label per action code.
    LABELS = {
        "booked": "Booked",
        "check_in": "Checked in",
        "complete": "Visit completed",
        "no_show": "Marked as not attended (no-show)",
        "cancel": "Cancelled",
        "reschedule": "Moved to another time",
        "rescheduled": "Moved to another time",
    }

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action) or self.action.replace("_", " ").capitalize()

    @property
    def actor_name(self) -> str:
        return self.actor.get_full_name() if self.actor else "the system"


from scheduling.feed_models import CalendarFeed  # noqa: E402, F401
from scheduling.waitlist_models import WaitlistEntry, WaitlistOffer  # noqa: E402, F401
