"""What each destructive staff action says before it happens (hms.lib.confirm pages)."""

from __future__ import annotations

from django.urls import reverse

from clinic import services
from clinic.models import Department, Doctor, Patient
from hms.lib.confirm import Confirmation


def department_toggle(department: Department) -> Confirmation:
    verb = "Deactivate" if department.is_active else "Activate"
    effect = (
        "It disappears from the directory and from booking, with its doctors. "
        "Booked appointments stay booked; nothing is deleted."
        if department.is_active
        else "It appears in the directory again and its active doctors can be booked."
    )
    return Confirmation(
        title=f"{verb} department", question=f"{verb} {department.name}?",
        consequences=[effect], button=f"{verb} {department.name}",
        button_class="btn-warning" if department.is_active else "btn-success",
        back=reverse("clinic:department-list"), back_label="Departments",
    )  # fmt: skip


def department_delete(department: Department) -> Confirmation:
    """Delete an unused department, or explain why not and offer deactivation."""
    back, doctor_count = reverse("clinic:department-list"), department.doctors.count()
    if not doctor_count:
        return Confirmation(
            title="Delete department", question=f"Delete {department.name} for good?",
            consequences=["It has no doctors. This cannot be undone."],
            button=f"Delete {department.name}", back=back, back_label="Departments",
        )  # fmt: skip
    return Confirmation(
        title="Delete department",
        alert=f"{department.name} cannot be deleted: it still has {doctor_count} "
        f"doctor{'s' if doctor_count != 1 else ''} (removed doctors included, because their "
        "records are kept).",
        question=f"Deactivate {department.name} instead?"
        if department.is_active
        else f"{department.name} is already inactive: nothing more to do.",
        consequences=[
            "Deactivate it instead: it disappears from the directory and from booking, "
            "and nothing is lost."
        ],
        button=f"Deactivate {department.name}", button_class="btn-warning",
        action=reverse("clinic:department-toggle", args=[department.pk]),
        can_confirm=department.is_active, back=back, back_label="Departments",
    )  # fmt: skip


ACTION_EFFECT = {
    "approve": "{name} will appear in the doctor directory and patients will be able to book "
    "appointments.",
    "block": "{name} will no longer be able to sign in or be booked, until unblocked.",
    "unblock": "{name} will be able to sign in and be booked again.",
    "remove": "{name} will be removed: the account is closed and the doctor disappears from "
    "every list. Past appointments and medical records are kept. This cannot be undone from the "
    "HMS pages.",
}


def doctor_action(doctor: Doctor, action: str, text: tuple[str, str, str]) -> Confirmation:
    """Approve, block, unblock or remove: what it does and (block, remove) what it affects."""
    verb, _, button_class = text
    effects = [ACTION_EFFECT[action].format(name=doctor.display_name)]
    if action in ("block", "remove"):
        effects += services.doctor_pending_work_summary(doctor=doctor) or [
            "No future appointments are affected."
        ]
    return Confirmation(
        title=f"{verb} doctor", question=f"{verb} {doctor.display_name}?", consequences=effects,
        button=f"{verb} {doctor.display_name}", button_class=button_class,
        back=reverse("clinic:doctor-detail", args=[doctor.pk]), back_label=doctor.display_name,
    )  # fmt: skip


def patient_toggle(patient: Patient) -> Confirmation:
    verb = "Deactivate" if patient.is_active else "Reactivate"
    effect = (
        "The account can no longer sign in. Records and appointments are kept."
        if patient.is_active
        else "The account can sign in and book again."
    )
    return Confirmation(
        title=f"{verb} patient", question=f"{verb} {patient}?", consequences=[effect],
        button=f"{verb} {patient}",
        button_class="btn-danger" if patient.is_active else "btn-success",
        back=reverse("clinic:patient-detail", args=[patient.pk]), back_label=str(patient),
    )  # fmt: skip
