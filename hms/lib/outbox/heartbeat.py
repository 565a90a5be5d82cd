"""Is anything running the background jobs? The beat process stamps "beat" each time it sends
the heartbeat task; a worker stamps "worker" each time it runs it. /healthz reports their ages."""

from __future__ import annotations

from datetime import datetime

from celery.signals import before_task_publish
from django.conf import settings
from django.utils import timezone

from hms.lib.outbox.models import Heartbeat

TASK = "outbox.heartbeat"


def stamp(name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


def ages(now: datetime | None = None) -> dict[str, float | None]:
    """Seconds since "worker" and "beat" were last seen (None: never)."""
    now = now or timezone.now()
    seen = dict(Heartbeat.objects.values_list("name", "at"))
    return {
        name: (now - seen[name]).total_seconds() if name in seen else None
        for name in ("worker", "beat")
    }


def stale_after() -> int:
    """Seconds after which a silent worker or beat counts as stopped (three missed beats)."""
    return getattr(settings, "HMS_HEARTBEAT_STALE_AFTER", 90)


def _on_publish(sender=None, **kwargs) -> None:
    if sender == TASK:
        stamp("beat")


def connect_beat_stamp() -> None:
    before_task_publish.connect(_on_publish, weak=False, dispatch_uid="outbox-beat-stamp")
