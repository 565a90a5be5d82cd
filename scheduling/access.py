"""Who may see and act on which appointment and schedule; every scheduling view uses this."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import int_param
from clinic.models import Doctor, Patient
from scheduling.models import Appointment


def is_scheduling_staff(user) -> bool:
    return user.has_perm("scheduling.manage_all_appointments")


def get_appointment_for_user(user, pk: int) -> Appointment:
    """Staff see every appointment; a doctor or patient only their own; others get 404."""
    appointments = Appointment.objects.with_actors().with_attention()
    if is_scheduling_staff(user):
        return get_object_or_404(appointments, pk=pk)
    appointment = appointments.filter(pk=pk).first()
    if appointment is None or user.pk not in (
        appointment.doctor.user_id,
        appointment.patient.user_id,
    ):
        raise Http404
    return appointment


def get_booking_patient(user, for_patient: str | None) -> Patient:
    """Whom a booking is for: staff book for any active patient (?for=<id>), patients for
    themselves."""
    if for_patient and is_scheduling_staff(user):
        patient_id = int_param(for_patient)
        if patient_id is None:
            raise Http404
        return get_object_or_404(Patient.objects.with_related(), pk=patient_id)
    if user.has_perm("scheduling.book_own_appointment"):
        return get_object_or_404(Patient.objects.with_related(), user=user)
    raise PermissionDenied


def get_bookable_doctor(pk: int) -> Doctor:
    doctor = Doctor.objects.with_related().filter(pk=pk).first()
    if doctor is None or not doctor.is_bookable:
        raise Http404
    return doctor


class ChooseDoctor(Exception):
    """Staff opened a per-doctor page without saying which doctor."""


def get_schedule_doctor(user, doctor_pk: str | None = None) -> Doctor:
    """The doctor whose schedule/availability is shown: own for doctors, any for staff."""
    if is_scheduling_staff(user):
        if not doctor_pk:
            raise ChooseDoctor
        doctor_id = int_param(doctor_pk)
        if doctor_id is None:
            raise Http404
        return get_object_or_404(Doctor.objects.with_related(), pk=doctor_id)
    if user.has_perm("scheduling.manage_own_schedule"):
        return get_object_or_404(Doctor.objects.with_related(), user=user, removed_at__isnull=True)
    raise PermissionDenied
