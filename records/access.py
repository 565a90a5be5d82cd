"""Who may read or write which patient's medical data. Every records view goes through here,
and every decision (allowed or denied) is written to the access log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from clinic.models import Patient
from records.audit import audit
from records.models import Export, VisitRecord
from scheduling.models import Appointment


def is_records_staff(user) -> bool:
    return user.has_perm("records.view_all_records")


def doctor_has_seen(user, patient: Patient) -> bool:
    """A doctor may read the history of patients they have or had an appointment with."""
    return (
        user.has_perm("records.write_own_visit_record")
        and Appointment.objects.filter(doctor__user=user, patient=patient).exists()
    )


def may_read_patient(user, patient: Patient) -> bool:
    return (
        is_records_staff(user)
        or (patient.user_id == user.pk and user.has_perm("records.view_own_history"))
        or doctor_has_seen(user, patient)
    )


def get_patient_history_for_user(request: HttpRequest, patient_pk: int, *, action: str = "view"):
    patient = Patient.objects.with_related().filter(pk=patient_pk).first()
    if patient is None or not may_read_patient(request.user, patient):
        audit(
            request,
            patient=patient,
            object_type="history",
            object_id=patient_pk,
            action=action,
            allowed=False,
        )
        raise Http404
    audit(request, patient=patient, object_type="history", object_id=patient.pk, action=action)
    return patient


def get_record_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> VisitRecord:
    """Read: the patient, any doctor who has seen the patient, staff. Write: the author only."""
    record = VisitRecord.objects.with_related().filter(pk=pk).first()
    user = request.user
    patient = record.patient if record else None
    if record is None or not may_read_patient(user, record.patient):
        audit(
            request,
            patient=patient,
            object_type="visit_record",
            object_id=pk,
            action="change" if write else "view",
            allowed=False,
        )
        raise Http404
    if write and record.author_id != user.pk:
        audit(
            request,
            patient=patient,
            object_type="visit_record",
            object_id=pk,
            action="change",
            allowed=False,
        )
        raise PermissionDenied("Only the doctor who wrote this record can change it.")
    audit(
        request,
        patient=patient,
        object_type="visit_record",
        object_id=pk,
        action="change" if write else "view",
    )
    return record


def get_appointment_to_complete(request: HttpRequest, appointment_pk: int) -> Appointment:
    """Only the appointment's own doctor writes its visit record."""
    appointment = Appointment.objects.with_related().filter(pk=appointment_pk).first()
    if (
        appointment is None
        or appointment.doctor.user_id != request.user.pk
        or not (request.user.has_perm("records.write_own_visit_record"))
    ):
        audit(
            request,
            patient=appointment.patient if appointment else None,
            object_type="appointment",
            object_id=appointment_pk,
            action="complete",
            allowed=False,
        )
        raise Http404
    return appointment


def may_export(user, patient: Patient, *, for_doctors: bool = False) -> bool:
    """The patient themselves or hospital staff; with `for_doctors` (the FHIR record, meant
    for another health system) also every doctor who may read the history."""
    if for_doctors:
        return may_read_patient(user, patient)
    return is_records_staff(user) or (
        patient.user_id == user.pk and user.has_perm("records.view_own_history")
    )


def get_patient_for_export(
    request: HttpRequest, patient_pk: int, *, kind: str, for_doctors: bool = False
) -> Patient:
    """Exports: the patient themselves, or hospital staff for any patient (and, `for_doctors`,
    the patient's doctors). Every attempt is audited as `export_<kind>`; refusals are 404."""
    patient = Patient.objects.with_related().filter(pk=patient_pk).first()
    user = request.user
    allowed = patient is not None and may_export(user, patient, for_doctors=for_doctors)
    audit(
        request,
        patient=patient,
        object_type=f"export_{kind}",
        object_id=patient_pk,
        action="export",
        allowed=allowed,
    )
    if not allowed:
        raise Http404
    return patient


def get_export_for_user(request: HttpRequest, pk: int) -> Export:
    """Only the export's owner (or hospital staff) may see or download it."""
    export = Export.objects.select_related("patient__user").filter(pk=pk).first()
    allowed = export is not None and (
        export.owner_id == request.user.pk or is_records_staff(request.user)
    )
    if not allowed:
        audit(
            request,
            patient=export.patient if export else None,
            object_type="export",
            object_id=pk,
            action="view",
            allowed=False,
        )
        raise Http404
    return export


def may_see_versions(user, record: VisitRecord) -> bool:
    """Earlier versions of a record: its author, other doctors, and staff (not patients)."""
    return (
        user.pk == record.author_id
        or is_records_staff(user)
        or user.has_perm("records.write_own_visit_record")
    )


def get_record_versions_for_user(request: HttpRequest, pk: int) -> VisitRecord:
    record = get_record_for_user(request, pk)
    if not may_see_versions(request.user, record):
        raise PermissionDenied
    return record


def get_own_patient(request: HttpRequest, *, download: bool = False) -> Patient:
    """The signed-in patient's own profile, for the pages about themself: 403 for others (404
    for a download, which has nothing to show them)."""
    patient = Patient.objects.with_related().filter(user=request.user).first()
    if patient is None or not request.user.has_perm("records.view_own_history"):
        raise Http404 if download else PermissionDenied
    return patient


def get_own_patient_id(request: HttpRequest) -> int:
    """The pk of the signed-in patient's own profile (get_own_patient without loading it, for a
    page that loads the patient through its own access check next)."""
    patient_id = Patient.objects.filter(user=request.user).values_list("pk", flat=True).first()
    if patient_id is None or not request.user.has_perm("records.view_own_history"):
        raise PermissionDenied
    return patient_id


def may_search_access_log(user) -> bool:
    return is_records_staff(user) and user.has_perm("records.view_all_access_log")
