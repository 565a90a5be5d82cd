"""Records' answers to lower apps' signals."""

from django.dispatch import receiver

from clinic.signals import patient_data_accessed
from records.audit import audit


@receiver(patient_data_accessed, dispatch_uid="records-audit-clinic-patient")
def log_patient_data_access(
    sender, request, patient, action, obj, object_type="patient_profile", **kwargs
) -> None:
    """Clinic's patient pages, Django admin's patient and appointment pages, and scheduling's
    calendar feeds (fetched with a token: they name the feed's owner as `actor`, a `role`, and
    a `path` without the token)."""
    if obj is None:  # a list (Django admin's change list)
        listed = "patient" if object_type == "patient_profile" else object_type
        audit(request, patient=None, object_type=f"{listed}_list", object_id="admin", action=action)
        return
    audit(
        request, patient=patient, object_type=object_type, object_id=obj.pk, action=action,
        allowed=kwargs.get("allowed", True), actor=kwargs.get("actor"), role=kwargs.get("role", ""),
        path=kwargs.get("path", ""),
    )  # fmt: skip
