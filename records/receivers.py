"""Records' answers to lower apps' signals."""

from django.dispatch import receiver

from clinic.signals import patient_data_accessed
from records.audit import audit


@receiver(patient_data_accessed, dispatch_uid="records-audit-clinic-patient")
def log_clinic_patient_access(sender, request, patient, action, obj, **kwargs) -> None:
    if obj is None:  # a list of patients (Django admin's change list)
        audit(request, patient=None, object_type="patient_list", object_id="admin", action=action)
        return
    audit(request, patient=patient, object_type="patient_profile", object_id=obj.pk, action=action)
