from django.apps import AppConfig
from django.db.models.signals import post_migrate

# name: (task, crontab fields, kwargs). Installed after migrate with get_or_create: a schedule an
# admin changed in Django admin (time, enabled) is never overwritten by a later migrate.
DEFAULT_SCHEDULES = {
    "Appointment reminders (same day)": (
        "reports.tasks.send_daily_reminders",
        {"minute": "0", "hour": "7"},
        {"kind": "same_day"},
    ),
    "Appointment reminders (day before)": (
        "reports.tasks.send_daily_reminders",
        {"minute": "0", "hour": "18"},
        {"kind": "day_before"},
    ),
    # Waitlist offers not answered in time pass to the next patient waiting.
    "Waitlist holds expiry": ("scheduling.tasks.expire_waitlist_holds", {"minute": "*"}, {}),
    "Monthly doctor reports": (
        "reports.tasks.send_monthly_reports",
        {"minute": "0", "hour": "6", "day_of_month": "1"},
        {},
    ),
}


def install_schedules(sender=None, **kwargs) -> list[str]:
    import json

    from django.conf import settings
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    created = []
    for name, (task, fields, task_kwargs) in DEFAULT_SCHEDULES.items():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            **{
                "minute": "0",
                "hour": "*",
                "day_of_week": "*",
                "day_of_month": "*",
                "month_of_year": "*",
                **fields,
            },
            timezone=settings.TIME_ZONE,
        )
        _, was_created = PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": task, "crontab": crontab, "kwargs": json.dumps(task_kwargs)},
        )
        if was_created:
            created.append(name)
    return created


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports and dashboards"

    role_permissions = {"Hospital admin": {"reports.view_hospital_reports"}}

    def ready(self) -> None:
        from reports import receivers  # noqa: F401 - stats cache busting

        post_migrate.connect(install_schedules, sender=self, dispatch_uid="reports-schedules")
