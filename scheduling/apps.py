from django.apps import AppConfig
from django.db.models.signals import post_migrate

NO_SHOW_SCHEDULE = "Mark no-shows (NO_SHOW_AFTER_MINUTES)"


def install_schedules(sender=None, **kwargs) -> None:
    """The no-show job, every 5 minutes (it does nothing while the setting is 0). get_or_create:
    a schedule an admin edited in Django admin is never overwritten."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every, _ = IntervalSchedule.objects.get_or_create(every=300, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.get_or_create(
        name=NO_SHOW_SCHEDULE,
        defaults={
            "task": "scheduling.tasks.mark_no_shows",
            "interval": every,
            "expire_seconds": 295,
        },
    )


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

        post_migrate.connect(install_schedules, sender=self, dispatch_uid="scheduling-schedules")
