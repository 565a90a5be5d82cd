from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import TimeStampedModel
from clinic import search
from hms.lib.phones import PhoneNumberField


def bookable_doctors(prefix: str = "") -> Q:
    """The one definition of a department's doctors, as patients see them: approved (active),
    not removed, able to sign in. `prefix` reads it through a relation ("doctors__")."""
    return Q(
        **{
            f"{prefix}status": "active",
            f"{prefix}removed_at__isnull": True,
            f"{prefix}user__is_active": True,
        }
    )


class DepartmentQuerySet(models.QuerySet):
    def active(self) -> DepartmentQuerySet:
        return self.filter(is_active=True)

    def with_doctor_counts(self) -> DepartmentQuerySet:
        """Each department with `doctor_count`, its doctors as patients see them
        (`Doctor.BOOKABLE`: the directory and the staff list show the same number), and
        `waiting_count`, the doctors on staff lists who are not bookable (pending approval or
        blocked)."""
        bookable = bookable_doctors(prefix="doctors__")
        listed = Q(doctors__removed_at__isnull=True)
        return self.annotate(
            doctor_count=models.Count("doctors", filter=bookable),
            waiting_count=models.Count("doctors", filter=listed & ~bookable),
        )


class Department(TimeStampedModel):
    """A clinical department; also the doctor's specialization shown to patients."""

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    is_active = models.BooleanField("active", default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="clinic_department_name_ci_unique",
                violation_error_message="A department with this name already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DoctorQuerySet(models.QuerySet):
    def with_related(self) -> DoctorQuerySet:
        return self.select_related("user", "department")

    def as_choices(self) -> list[tuple[int, str]]:
        """(pk, display name) pairs by surname for a <select>: plain values, one query, no model
        instances (a ModelChoiceField would read the rows through a server-side cursor, whose
        fast-start plan walked every user by surname: ~100 ms on the bench data)."""
        rows = self.order_by("user__last_name", "user__first_name").values_list(
            "pk", "user__first_name", "user__last_name"
        )
        return [(pk, f"Dr {f'{first} {last}'.strip()}".strip()) for pk, first, last in rows]

    def listed(self) -> DoctorQuerySet:
        """The doctors on staff lists and pickers (pending, active, blocked): every doctor but
        the removed ones, who "disappear from every list". Only the records filters also offer
        removed doctors, whose records stay searchable."""
        return self.filter(removed_at__isnull=True)

    def bookable(self) -> DoctorQuerySet:
        """Doctors patients may see in the directory and book: a department's doctors
        (`bookable_doctors`) in an active department."""
        return self.filter(bookable_doctors(), department__is_active=True)

    def search(self, q: str) -> DoctorQuerySet:
        q = q.strip()
        if not q:
            return self
        condition = Q()
        for word in q.split()[:5]:
            condition &= (
                Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
                | Q(department__name__icontains=word)
                | Q(specialization__icontains=word)
            )
        return self.filter(condition)


class Doctor(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending approval"
        ACTIVE = "active", "Active"
        BLOCKED = "blocked", "Blocked"

    SLOT_CHOICES = [(m, f"{m} minutes") for m in (10, 15, 20, 30, 45, 60)]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="doctor_profile"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="doctors")
    specialization = models.CharField(
        max_length=120, blank=True, help_text="e.g. Interventional cardiology"
    )
    qualifications = models.CharField(max_length=255, help_text="e.g. MBBS, MD (Cardiology)")
    experience_years = models.PositiveSmallIntegerField(
        "years of experience", default=0, validators=[MaxValueValidator(70)]
    )
    about = models.TextField(blank=True)
    phone = PhoneNumberField("contact phone", blank=True)
    consultation_fee = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100000"))],
    )
    slot_minutes = models.PositiveSmallIntegerField(
        "appointment length", choices=SLOT_CHOICES, default=30
    )
    photo = models.ImageField(upload_to="doctors/", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = DoctorQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__email"]
        indexes = [
            models.Index(fields=["status", "department"], name="clinic_doctor_status_dept"),
        ]
        permissions = [("change_own_doctor_profile", "Can edit their own doctor profile")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "active", "blocked"]),
                name="clinic_doctor_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"Dr {self.user.get_full_name()}".strip()

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def is_bookable(self) -> bool:
        return (
            self.status == self.Status.ACTIVE
            and not self.is_removed
            and self.user.is_active
            and self.department.is_active
        )

    @property
    def lifecycle_label(self) -> str:
        return "Removed" if self.is_removed else self.get_status_display()

    def can_transition(self, action: str) -> bool:
        """Which staff actions make sense from the current state (see clinic.services)."""
        if self.is_removed:
            return False
        allowed = {
            "approve": self.status == self.Status.PENDING,
            "block": self.status in (self.Status.ACTIVE, self.Status.PENDING),
            "unblock": self.status == self.Status.BLOCKED,
            "remove": True,
        }
        return allowed.get(action, False)


class PatientQuerySet(models.QuerySet):
    def with_related(self) -> PatientQuerySet:
        return self.select_related("user")

    def search(self, q: str) -> PatientQuerySet:
        """The staff's one search box: a patient matches when every word is in their first or
        last name (or e-mail), or the text is part of their phone number (digits compared), or
        names their date of birth, whole or in part (clinic.search).

        Indexed: names and e-mail by the trigram indexes of accounts.0005, the phone by
        clinic_patient_phone_trgm (PostgreSQL), the date of birth by clinic_patient_born (B-tree;
        a year, month or whole date is a range on it, a day and month alone scan)."""
        q = " ".join(q.split())
        if not q:
            return self
        by_name = Q()
        for word in q.split()[:5]:
            by_name &= (
                Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
                | Q(user__email__icontains=word)
            )
        others = []
        if digits := search.phone_digits(q):
            others.append(Q(phone__contains=digits))
        if born := search.birth_date(q):
            others.append(_born_condition(born))
        if not others:
            return self.filter(by_name)
        # One OR across the user and patient tables would be a filter on the join, which no
        # index serves: each branch is its own indexed lookup and their ids are united.
        ids = [Patient.objects.filter(c).order_by().values("pk") for c in (by_name, *others)]
        return self.filter(pk__in=ids[0].union(*ids[1:]))


def _born_condition(born: search.BirthDate) -> Q:
    if born.year is None:
        return Q(date_of_birth__month=born.month, date_of_birth__day=born.day)
    if born.day is not None:
        return Q(date_of_birth=date(born.year, born.month, born.day))
    first = date(born.year, born.month or 1, 1)
    last = date(born.year, born.month or 12, calendar.monthrange(born.year, born.month or 12)[1])
    return Q(date_of_birth__range=(first, last))


class Patient(TimeStampedModel):
    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNDISCLOSED = "undisclosed", "Prefer not to say"

    class BloodGroup(models.TextChoices):
        A_POS = "A+", "A+"
        A_NEG = "A-", "A-"
        B_POS = "B+", "B+"
        B_NEG = "B-", "B-"
        AB_POS = "AB+", "AB+"
        AB_NEG = "AB-", "AB-"
        O_POS = "O+", "O+"
        O_NEG = "O-", "O-"
        UNKNOWN = "", "Unknown"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient_profile"
    )
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = PhoneNumberField(blank=True)
    address = models.TextField(blank=True)
    emergency_contact_name = models.CharField(max_length=150, blank=True)
    emergency_contact_phone = PhoneNumberField(blank=True)
    blood_group = models.CharField(
        max_length=3, choices=BloodGroup.choices, blank=True, default=BloodGroup.UNKNOWN
    )
    height_cm = models.DecimalField(
        "height (cm)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("30")), MaxValueValidator(Decimal("250"))],
    )
    weight_kg = models.DecimalField(
        "weight (kg)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("400"))],
    )
    allergies = models.TextField(blank=True)
    chronic_conditions = models.TextField(blank=True)
    has_disability = models.BooleanField("has a disability", default=False)
    disability_notes = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField("active", default=True)

    objects = PatientQuerySet.as_manager()
    # Every earlier version of the health details (allergies above all) and who changed them.
    history = HistoricalRecords(excluded_fields=["created", "updated"])

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__email"]
        indexes = [
            models.Index(fields=["is_active"], name="clinic_patient_active"),
            # The staff search by date of birth (PatientQuerySet.search).
            models.Index(fields=["date_of_birth"], name="clinic_patient_born"),
        ]
        permissions = [("change_own_patient_profile", "Can edit their own patient profile")]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.email

    @property
    def age(self) -> int | None:
        if self.date_of_birth is None:
            return None
        today = timezone.localdate()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def bmi(self) -> Decimal | None:
        if not (self.height_cm and self.weight_kg):
            return None
        metres = self.height_cm / 100
        return (self.weight_kg / (metres * metres)).quantize(Decimal("0.1"))

    @property
    def is_complete(self) -> bool:
        """The details reception needs before a first visit."""
        return bool(self.date_of_birth and self.phone and self.gender)

    @staticmethod
    def oldest_plausible_birth_date() -> date:
        today = timezone.localdate()
        return today.replace(year=today.year - 130)
