from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import TimeStampedModel
from clinic.models import Patient
from scheduling.models import Appointment

REASON_MAX_LENGTH = 500  # the reason a doctor gives for changing a visit record


class VisitRecordQuerySet(models.QuerySet):
    def with_related(self) -> VisitRecordQuerySet:
        return self.select_related(
            "appointment__doctor__user", "appointment__doctor__department", "patient__user"
        )


class VisitRecord(TimeStampedModel):
    """What happened at one visit. Written by the appointment's doctor; every change versioned."""

    class VisitType(models.TextChoices):
        CONSULTATION = "consultation", "Consultation"
        FOLLOW_UP = "follow_up", "Follow-up"
        EMERGENCY = "emergency", "Emergency"
        PROCEDURE = "procedure", "Procedure"
        TELECONSULTATION = "teleconsultation", "Teleconsultation"

    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="visit_record"
    )
    # Denormalised from the appointment: history and exports filter by patient on one table.
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="visit_records")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visit_type = models.CharField(
        max_length=20, choices=VisitType.choices, default=VisitType.CONSULTATION
    )
    complaint = models.TextField("chief complaint")
    bp_systolic = models.PositiveSmallIntegerField(
        "blood pressure (systolic)",
        null=True,
        blank=True,
        validators=[MinValueValidator(50), MaxValueValidator(260)],
    )
    bp_diastolic = models.PositiveSmallIntegerField(
        "blood pressure (diastolic)",
        null=True,
        blank=True,
        validators=[MinValueValidator(30), MaxValueValidator(160)],
    )
    pulse = models.PositiveSmallIntegerField(
        "pulse (bpm)",
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(250)],
    )
    temperature_c = models.DecimalField(
        "temperature (°C)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("30")), MaxValueValidator(Decimal("45"))],
    )
    spo2 = models.PositiveSmallIntegerField(
        "SpO₂ (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
    )
    weight_kg = models.DecimalField(
        "weight (kg)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("400"))],
    )
    diagnosis = models.TextField()
    tests_done = models.TextField(blank=True)
    tests_ordered = models.TextField(blank=True)
    advice = models.TextField("advice and precautions", blank=True)
    notes = models.TextField("doctor's notes", blank=True)
    follow_up_on = models.DateField("follow-up date", null=True, blank=True)

    # The doctor's reason for an edit is kept on the version (simple-history's change reason,
    # longer than its default 100 characters).
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))
    objects = VisitRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-appointment__start"]
        indexes = [models.Index(fields=["patient", "created"], name="rec_visit_patient_created")]
        permissions = [
            ("write_own_visit_record", "Can write visit records for own appointments"),
            ("view_own_history", "Can view own medical history"),
            ("view_all_records", "Can view every visit record (oversight)"),
        ]

    def __str__(self) -> str:
        return f"Visit of {self.patient} on {self.appointment.start:%Y-%m-%d}"

    @property
    def vitals_summary(self) -> str:
        parts = [
            f"BP {self.blood_pressure} mmHg" if self.blood_pressure else "",
            f"Pulse {self.pulse}" if self.pulse else "",
            f"{self.temperature_c} °C" if self.temperature_c else "",
            f"SpO₂ {self.spo2}%" if self.spo2 else "",
            f"{self.weight_kg} kg" if self.weight_kg else "",
        ]
        return " · ".join(p for p in parts if p)

    @property
    def blood_pressure(self) -> str:
        if self.bp_systolic and self.bp_diastolic:
            return f"{self.bp_systolic}/{self.bp_diastolic}"
        return ""


class PrescriptionItem(models.Model):
    # What a line says (what the doctor edits, and what the version history compares).
    CONTENT_FIELDS = ("medicine", "dose", "frequency", "duration", "instructions")

    record = models.ForeignKey(VisitRecord, on_delete=models.PROTECT, related_name="prescriptions")
    medicine = models.CharField(max_length=200)
    dose = models.CharField(max_length=100, help_text="e.g. 500 mg")
    frequency = models.CharField(max_length=100, help_text="e.g. twice a day")
    duration = models.CharField(max_length=100, blank=True, help_text="e.g. 7 days")
    instructions = models.CharField(max_length=300, blank=True, help_text="e.g. after meals")

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.medicine} {self.dose} {self.frequency}"


class AccessLogEntry(models.Model):
    """Who read or changed which patient's data, when, from where, and whether it was allowed.

    Append-only: nothing in HMS updates or deletes these rows (Django admin is read-only).
    """

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "Allowed"
        DENIED = "denied", "Denied"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    role = models.CharField(max_length=40, blank=True)
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="access_log"
    )
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=20)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED)
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "access log entries"
        indexes = [
            models.Index(fields=["patient", "-at"], name="rec_log_patient_at"),
            models.Index(fields=["actor", "-at"], name="rec_log_actor_at"),
            models.Index(fields=["outcome", "-at"], name="rec_log_outcome_at"),
        ]
        permissions = [("view_all_access_log", "Can search the whole access log")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}"

    # What an entry means, in the words of the people who read the log (patients included).
    # The codes stay in the row (and in Django admin) for investigators.
    VERBS = {
        "view": "Viewed",
        "change": "Changed",
        "create": "Created",
        "export": "Exported",
        "download": "Downloaded",
        "complete": "Completed",
        "search": "Searched",
    }
    THINGS = {
        "history": "the patient’s history",
        "visit_record": "a visit record",
        "appointment": "an appointment",
        "patient_profile": "the patient’s profile",
        "export": "an export",
        "export_csv": "the history (CSV)",
        "export_pdf": "the history (PDF)",
        "export_fhir": "the record (FHIR, for another health system)",
        "export_background_csv": "a full history export (CSV)",
        "export_background_fhir": "a full record export (FHIR)",
        "export_prescription_pdf": "a prescription (PDF)",
        "patient_list": "the patient list",
        "record_list": "the list of visit records",
        "appointment_list": "the appointment list",
        "calendar_feed": "the calendar feed",
    }
    PHRASES = {  # where verb + thing would read oddly
        ("export", "export_background_csv"): "Started a full history export (CSV)",
        ("export", "export_background_fhir"): "Started a full record export (FHIR)",
        ("export", "export_email"): "E-mailed the records to the patient",
        ("create", "visit_record"): "Wrote a visit record",
        ("create", "patient_profile"): "Registered the patient",
        ("complete", "appointment"): "Completed a visit",
        ("download", "calendar_feed"): "Calendar app fetched the appointments (calendar feed)",
    }

    @property
    def description(self) -> str:
        """E.g. "Viewed the patient’s history", "Downloaded a full history export (CSV)"."""
        phrase = self.PHRASES.get((self.action, self.object_type)) or (
            f"{self.VERBS.get(self.action, self.action.replace('_', ' ').capitalize())} "
            f"{self.THINGS.get(self.object_type, self.object_type.replace('_', ' '))}"
        )
        if self.object_id.startswith("page "):
            return f"{phrase} ({self.object_id})"
        return f"{phrase} (Django admin)" if self.object_id == "admin" else phrase


class Export(TimeStampedModel):
    """A history export built in the background; the file expires after HMS_EXPORT_TTL_DAYS."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Running"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Set for a patient's history; empty for hospital reports (kind + params say what it is).
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="exports", null=True, blank=True
    )
    kind = models.CharField(max_length=20, default="csv")
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    error = models.CharField(max_length=300, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["owner", "-created"], name="rec_export_owner"),
            models.Index(fields=["status", "expires_at"], name="rec_export_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} export ({self.status})"

    @property
    def title(self) -> str:
        if self.patient_id:
            return f"History of {self.patient}"
        period = f"{self.params.get('from', '')} – {self.params.get('to', '')}"
        return f"{self.kind.title()} report {period}"

    @property
    def download_name(self) -> str:
        """The file's name for the person downloading it: what it is and when, never the
        storage's name (which may carry a random suffix to stay unique)."""
        day = timezone.localdate(self.created).isoformat() if self.created else ""
        if self.patient_id and self.is_fhir:
            return f"record-{self.patient_id}-{day}.json"
        if self.patient_id:
            return f"history-{self.patient_id}-{day}.csv"
        return f"{self.kind}-{self.params.get('from', '')}-{self.params.get('to', '')}.csv"

    @property
    def is_fhir(self) -> bool:
        """A patient's record as a FHIR R4 Bundle (JSON) rather than a CSV."""
        return self.kind == "fhir"

    @property
    def format_label(self) -> str:
        return "FHIR" if self.is_fhir else "CSV"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        # A FHIR export counts a few entries besides the visits (patient, doctors, profile).
        return min(100, int(self.progress * 100 / self.total)) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)


# The visit record's own fields that both exports read (records/exports.py, records/fhir.py).
VISIT_FIELDS = (
    "visit_type",
    "complaint",
    "diagnosis",
    "bp_systolic",
    "bp_diastolic",
    "pulse",
    "temperature_c",
    "spo2",
    "weight_kg",
)
