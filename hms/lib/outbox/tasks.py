"""The outbox's Celery tasks: run one message, sweep, heartbeat."""

from __future__ import annotations

from celery import shared_task

from hms.lib.outbox import core, heartbeat


@shared_task(name="outbox.run", acks_late=True, ignore_result=True)
def run(message_id: int) -> str:
    return core.process(message_id)


@shared_task(name="outbox.sweep", ignore_result=True)
def sweep() -> int:
    return core.sweep()


@shared_task(name=heartbeat.TASK, ignore_result=True)
def beat() -> None:
    heartbeat.stamp("worker")


@shared_task(name="outbox.purge", ignore_result=True)
def purge() -> int:
    return core.purge_done()
