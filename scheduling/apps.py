from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Scheduling"

    role_permissions = {
        "Hospital admin": {
            "scheduling.manage_all_appointments",
            "scheduling.view_appointment",
            "scheduling.add_holiday",
            "scheduling.change_holiday",
            "scheduling.delete_holiday",
            "scheduling.view_holiday",
            "scheduling.change_workinghours",
            "scheduling.change_leave",
        },
        "Doctor": {"scheduling.manage_own_schedule"},
        "Patient": {"scheduling.book_own_appointment"},
        # Every appointment and today's queue; not the doctors' hours, leave or holidays.
        "Front desk": {"scheduling.manage_all_appointments", "scheduling.view_appointment"},
    }

    def ready(self) -> None:
        from scheduling import receivers  # noqa: F401 - connects the clinic signal receivers
