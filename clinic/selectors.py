"""Reads for the clinic: the cached directory and department lists, and staff totals.

Cached in the family DIRECTORY (hms.lib.cached): every change that affects these lists calls
`cached.invalidate(DIRECTORY)` (the services and Django admin), so a change is visible on the
very next request and old entries simply expire.
"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from django.db.models import Count, Q

from clinic.models import Department, Doctor, Patient
from hms.lib import cached

DIRECTORY = "clinic.directory"
TTL = 60 * 15


def _cached(name: str, compute) -> Any:
    return cached.cached(DIRECTORY, name, compute, TTL)


def department_rows() -> list[dict]:
    """Every department with its doctor counts, for the staff list (cached)."""

    def compute() -> list[dict]:
        return list(
            Department.objects.with_doctor_counts().values(
                "pk", "name", "description", "is_active", "doctor_count", "waiting_count"
            )
        )

    return _cached("departments", compute)


def department_choices() -> list[tuple[int, str]]:
    """(pk, name) of every department, for filter <select>s (cached)."""
    return [(d["pk"], d["name"]) for d in department_rows()]


def doctor_choices(*, removed: bool = False) -> list[tuple[int, str]]:
    """(pk, "Dr name") by surname for filter <select>s (cached): doctors not removed, or every
    doctor with `removed` (records of removed doctors stay searchable)."""
    doctors = Doctor.objects.all() if removed else Doctor.objects.listed()
    return _cached(f"doctor-choices:{int(removed)}", doctors.as_choices)


def directory_departments() -> list[dict]:
    """Active departments that have at least one bookable doctor (cached)."""
    return [d for d in department_rows() if d["is_active"] and d["doctor_count"]]


def directory_doctors(*, department_id: int | None = None, q: str = "") -> list[dict]:
    """Bookable doctors for the patient-facing directory, filtered, as plain dicts (cached)."""
    q = " ".join(q.split()).lower()[:80]

    def compute() -> list[dict]:
        doctors = Doctor.objects.bookable().search(q).with_related()
        if department_id:
            doctors = doctors.filter(department_id=department_id)
        return [_doctor_card(d) for d in doctors]

    digest = hashlib.sha1(q.encode(), usedforsecurity=False).hexdigest()[:16]
    return _cached(f"doctors:{department_id or 0}:{digest}", compute)


def _doctor_card(doctor: Doctor) -> dict:
    return {
        "pk": doctor.pk,
        "name": doctor.display_name,
        "department": doctor.department.name,
        "department_id": doctor.department_id,
        "specialization": doctor.specialization,
        "qualifications": doctor.qualifications,
        "experience_years": doctor.experience_years,
        "consultation_fee": doctor.consultation_fee,
        "has_photo": bool(doctor.photo),
        "updated": doctor.updated.timestamp(),
    }


def hospital_totals() -> dict[str, int]:
    """Counts for the hospital dashboard: doctors by status, patients, departments (3 queries)."""
    live = Q(removed_at__isnull=True)
    doctors = Doctor.objects.aggregate(
        doctors_active=Count("pk", filter=live & Q(status=Doctor.Status.ACTIVE)),
        doctors_pending=Count("pk", filter=live & Q(status=Doctor.Status.PENDING)),
        doctors_blocked=Count("pk", filter=live & Q(status=Doctor.Status.BLOCKED)),
        doctors_removed=Count("pk", filter=Q(removed_at__isnull=False)),
    )
    patients = Patient.objects.aggregate(
        patients_active=Count("pk", filter=Q(is_active=True)),
        patients_inactive=Count("pk", filter=Q(is_active=False)),
    )
    departments = Department.objects.aggregate(
        departments_active=Count("pk", filter=Q(is_active=True)),
        departments_inactive=Count("pk", filter=Q(is_active=False)),
    )
    return {**doctors, **patients, **departments}


def patient_profile_changes(patient: Patient, *, limit: int = 10) -> list[dict]:
    """The latest edits of a patient's profile, newest first: who, when, which fields, old → new.

    One query: the last `limit` + 1 versions (the extra one is the base of the oldest diff).
    """
    versions = list(
        patient.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    rows = []
    for newer, older in itertools.pairwise(versions):
        changes = [
            {
                "label": Patient._meta.get_field(c.field).verbose_name,
                "old": c.old,
                "new": c.new,
            }
            for c in newer.diff_against(older).changes
        ]
        if changes:
            rows.append({"version": newer, "changes": changes})
    return rows
