from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"
    default_auto_field = "django.db.models.BigAutoField"

    # What each role may do in this app (see accounts/roles.py).
    role_permissions = {
        "Hospital admin": {"accounts.view_hospital_dashboard", "accounts.view_user"},
        "Doctor": {"accounts.view_doctor_dashboard"},
        "Patient": {"accounts.view_patient_dashboard"},
    }

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import stamp_login
        from accounts.roles import sync_roles_after_migrate

        user_logged_in.connect(stamp_login, dispatch_uid="accounts-idle-stamp")
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts-sync-roles")
