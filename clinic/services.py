"""Writes for the clinic: departments, doctors and patients.

Every change that affects the directory or department lists busts their cache after commit.
Medical data is never deleted: doctors are soft-removed, patients deactivated.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import User
from accounts.roles import DOCTOR, PATIENT
from accounts.services import (
    EmailAlreadySet,
    invitation_send,
    user_add_email,
    user_create_invited,
)
from clinic.models import Department, Doctor, Patient
from clinic.selectors import DIRECTORY
from clinic.signals import doctor_deactivated, doctor_pending_work
from hms.lib import cached
from hms.lib.confirm import Line


class ClinicError(Exception):
    """A request the clinic refuses, with a message fit to show the user."""


__all__ = ["EmailAlreadySet"]  # raised by patient_add_email


class DepartmentInUse(ClinicError):
    pass


class InvalidTransition(ClinicError):
    pass


def _bust_directory_after_commit() -> None:
    cached.invalidate(DIRECTORY)


def _apply(instance: Any, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)


# --- Departments ----------------------------------------------------------------------------


@transaction.atomic
def department_save(*, department: Department) -> Department:
    """Create or update a department (already populated, e.g. by a ModelForm)."""
    department.full_clean()
    department.save()
    _bust_directory_after_commit()
    return department


@transaction.atomic
def department_set_active(*, department: Department, active: bool) -> Department:
    department.is_active = active
    department.save(update_fields=["is_active", "updated"])
    _bust_directory_after_commit()
    return department


@transaction.atomic
def department_delete(*, department: Department) -> None:
    """Delete a department that has never had a doctor; otherwise refuse (deactivate instead)."""
    count = department.doctors.count()
    if count:
        raise DepartmentInUse(
            f"{department.name} still has {count} doctor{'s' if count != 1 else ''} "
            "(including removed ones, whose records are kept). Deactivate it instead: it will "
            "disappear from the directory and booking."
        )
    try:
        department.delete()
    except ProtectedError as exc:  # a doctor was added meanwhile
        raise DepartmentInUse(f"{department.name} is in use. Deactivate it instead.") from exc
    _bust_directory_after_commit()


# --- Doctors --------------------------------------------------------------------------------


@transaction.atomic
def doctor_create(
    *, email: str, first_name: str, last_name: str, profile: dict[str, Any], approve: bool
) -> Doctor:
    """Create the user (invited by e-mail to set a password) and the doctor profile."""
    user = user_create_invited(email=email, first_name=first_name, last_name=last_name, role=DOCTOR)
    doctor = Doctor(user=user, status=Doctor.Status.ACTIVE if approve else Doctor.Status.PENDING)
    _apply(doctor, profile)
    doctor.full_clean()
    doctor.save()
    invitation_send(user=user)
    _bust_directory_after_commit()
    return doctor


@transaction.atomic
def doctor_update(
    *, doctor: Doctor, profile: dict[str, Any], user_fields: dict[str, Any] | None = None
) -> Doctor:
    """Change profile fields (and the user's names). Status changes go through the actions."""
    if user_fields:
        _apply(doctor.user, user_fields)
        doctor.user.full_clean()
        doctor.user.save()
    _apply(doctor, profile)
    doctor.full_clean()
    doctor.save()
    _bust_directory_after_commit()
    return doctor


def doctor_pending_work_summary(*, doctor: Doctor) -> list[str | Line]:
    """What blocking/removing this doctor would affect, as reported by higher apps."""
    lines: list[str | Line] = []
    for _receiver, response in doctor_pending_work.send(sender=Doctor, doctor=doctor):
        lines.extend(response or [])
    return lines


@transaction.atomic
def doctor_act(*, doctor: Doctor, action: str, by: User) -> Doctor:
    """Approve, block, unblock or remove a doctor.

    Blocking suspends the account (no login, not bookable); removal is a soft delete: the account
    is closed and the doctor disappears from every list but past appointments and records stay.
    """
    doctor = Doctor.objects.select_for_update().select_related("user").get(pk=doctor.pk)
    if not doctor.can_transition(action):
        raise InvalidTransition(
            f"{doctor.display_name} is {doctor.lifecycle_label.lower()}: cannot {action}."
        )
    user = doctor.user
    if action == "approve":
        doctor.status = Doctor.Status.ACTIVE
        user.is_active = True
    elif action == "block":
        doctor.status = Doctor.Status.BLOCKED
        user.is_active = False
    elif action == "unblock":
        doctor.status = Doctor.Status.ACTIVE
        user.is_active = True
    elif action == "remove":
        doctor.removed_at = timezone.now()
        user.is_active = False
    doctor.save(update_fields=["status", "removed_at", "updated"])
    user.save(update_fields=["is_active"])
    if action in ("block", "remove"):
        doctor_deactivated.send(sender=Doctor, doctor=doctor, action=action, by=by)
    _bust_directory_after_commit()
    return doctor


# --- Patients -------------------------------------------------------------------------------


@transaction.atomic
def patient_create(
    *, email: str | None, first_name: str, last_name: str, profile: dict[str, Any]
) -> Patient:
    """Staff registration of a patient: the account is invited by e-mail to set a password.

    A walk-in may have no e-mail address: no invitation then, and no login until one is added
    (`patient_add_email`)."""
    user = user_create_invited(
        email=email, first_name=first_name, last_name=last_name, role=PATIENT
    )
    patient = Patient(user=user)
    _apply(patient, profile)
    patient.full_clean()
    patient.save()
    if user.email:
        invitation_send(user=user)
    return patient


def patient_add_email(*, patient: Patient, email: str) -> Patient:
    """The first e-mail address of a patient registered without one; the invitation is sent once
    (raises `accounts.services.EmailAlreadySet` if the patient has an address)."""
    user_add_email(user=patient.user, email=email)
    return patient


def patient_create_for_signup(*, user: User) -> Patient:
    """The empty profile a self-registered patient completes after signing up."""
    return Patient.objects.create(user=user)


@transaction.atomic
def patient_update(
    *, patient: Patient, profile: dict[str, Any], user_fields: dict[str, Any] | None = None
) -> Patient:
    if user_fields:
        _apply(patient.user, user_fields)
        patient.user.full_clean()
        patient.user.save()
    _apply(patient, profile)
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def patient_set_active(*, patient: Patient, active: bool) -> Patient:
    """Deactivate (account closed, records kept) or reactivate a patient."""
    patient.is_active = active
    patient.save(update_fields=["is_active", "updated"])
    patient.user.is_active = active
    patient.user.save(update_fields=["is_active"])
    return patient
