from django.apps import AppConfig
from django.db.models.signals import post_migrate

# name: (task, every seconds). Installed after migrate with get_or_create (an admin's edit of a
# schedule in Django admin is never overwritten). Each run expires before the next one is due, so
# runs do not pile up in the queue while no worker is there.
SCHEDULES = {
    "Outbox sweep (publish what is due)": ("outbox.sweep", 60),
    "Worker heartbeat": ("outbox.heartbeat", 30),
    "Outbox clean-up (messages done 30 days ago)": ("outbox.purge", 86400),
}


def install_schedules(sender=None, **kwargs) -> list[str]:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    created = []
    for name, (task, seconds) in SCHEDULES.items():
        every, _ = IntervalSchedule.objects.get_or_create(
            every=seconds, period=IntervalSchedule.SECONDS
        )
        _, was_created = PeriodicTask.objects.get_or_create(
            name=name,
            defaults={"task": task, "interval": every, "expire_seconds": max(seconds - 5, 5)},
        )
        if was_created:
            created.append(name)
    return created


class OutboxConfig(AppConfig):
    name = "hms.lib.outbox"
    label = "outbox"
    verbose_name = "Outbox (e-mails and background jobs)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hms.lib.outbox import heartbeat

        heartbeat.connect_beat_stamp()
        post_migrate.connect(install_schedules, sender=self, dispatch_uid="outbox-schedules")
