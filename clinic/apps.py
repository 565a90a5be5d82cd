from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Departments, doctors and patients"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_save

        from clinic.receivers import user_saved

        post_save.connect(user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="clinic-user")

    role_permissions = {
        "Hospital admin": {
            "clinic.add_department",
            "clinic.change_department",
            "clinic.delete_department",
            "clinic.view_department",
            "clinic.add_doctor",
            "clinic.change_doctor",
            "clinic.view_doctor",
            "clinic.add_patient",
            "clinic.change_patient",
            "clinic.view_patient",
        },
        "Doctor": {
            "clinic.view_department",
            "clinic.view_doctor",
            "clinic.change_own_doctor_profile",
        },
        "Patient": {
            "clinic.view_department",
            "clinic.view_doctor",
            "clinic.change_own_patient_profile",
        },
        # Registers and finds patients (profile and contact data), books with any doctor; the
        # staff doctor pages (hiring, blocking) and departments stay with hospital admins.
        "Front desk": {
            "clinic.view_department",
            "clinic.view_doctor",
            "clinic.add_patient",
            "clinic.change_patient",
            "clinic.view_patient",
        },
    }
