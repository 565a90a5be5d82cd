"""Who may see and change which clinic object. Every clinic view goes through these helpers.

The rule of the house: an object a user may not know about is a 404; an object they may see but
not change is a 403 on write.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from clinic.models import Department, Doctor, Patient


def get_department_for_user(user, pk: int) -> Department:
    """Departments are managed by hospital admins only."""
    if not user.has_perm("clinic.change_department"):
        raise PermissionDenied
    return get_object_or_404(Department, pk=pk)


def get_doctor_for_user(user, pk: int, *, write: bool = False) -> Doctor:
    """Staff see every doctor, removed ones included; others see bookable doctors (and self)."""
    doctors = Doctor.objects.with_related()
    if user.has_perm("clinic.change_doctor"):
        return get_object_or_404(doctors, pk=pk)
    if not user.has_perm("clinic.view_doctor"):
        raise Http404
    doctor = doctors.filter(pk=pk).first()
    if doctor is None or not (doctor.is_bookable or doctor.user_id == user.pk):
        raise Http404
    if write:
        raise PermissionDenied
    return doctor


def get_patient_for_user(user, pk: int, *, write: bool = False) -> Patient:
    """Staff see every patient; a patient only themselves; anyone else gets 404.

    Doctors get read access to their own patients with the scheduling app.
    """
    patients = Patient.objects.with_related()
    if user.has_perm("clinic.change_patient"):
        return get_object_or_404(patients, pk=pk)
    patient = patients.filter(pk=pk, user=user).first()
    if patient is None:
        raise Http404
    return patient


def get_own_doctor_profile(user) -> Doctor:
    if not user.has_perm("clinic.change_own_doctor_profile"):
        raise PermissionDenied
    return get_object_or_404(Doctor.objects.with_related(), user=user, removed_at__isnull=True)


def get_own_patient_profile(user) -> Patient:
    if not user.has_perm("clinic.change_own_patient_profile"):
        raise PermissionDenied
    return get_object_or_404(Patient.objects.with_related(), user=user)
