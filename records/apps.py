from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Medical records"

    role_permissions = {
        "Hospital admin": {"records.view_all_records", "records.view_all_access_log"},
        "Doctor": {"records.write_own_visit_record"},
        "Patient": {"records.view_own_history"},
    }

    def ready(self) -> None:
        from records import receivers  # noqa: F401 - connects the access-log receiver
