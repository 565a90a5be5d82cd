from django.apps import AppConfig
from django.db.models.signals import post_migrate


def install_schedules(sender, **kwargs) -> None:
    """Default periodic tasks of this app. get_or_create: a schedule an admin edited in Django
    admin is never overwritten."""
    from django.conf import settings
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(
        name="Delete expired exports",
        defaults={"task": "records.tasks.delete_expired_exports", "crontab": nightly},
    )


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

        post_migrate.connect(install_schedules, sender=self, dispatch_uid="records-schedules")
