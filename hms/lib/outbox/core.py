"""Writing, publishing, claiming and running outbox messages (see the package docstring)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from hms.lib.outbox.models import Message
from hms.lib.outbox.registry import HANDLERS, current_key

logger = logging.getLogger(__name__)

# One quick attempt: a dead broker must not hold the request that caused the message (the sweep
# publishes it later).
PUBLISH_POLICY = {"max_retries": 0}


def _seconds(name: str, default: int) -> timedelta:
    return timedelta(seconds=getattr(settings, name, default))


def _known(name: str) -> bool:
    if name not in HANDLERS:
        # Handlers live in the apps' tasks modules, which Celery imports on first use.
        current_app.loader.import_default_modules()
    return name in HANDLERS


def enqueue(name: str, *args, key: str | None = None) -> Message:
    if not _known(name):
        raise LookupError(f"No outbox handler named {name!r}")
    key = key or f"{name}:{uuid.uuid4().hex}"
    try:
        with transaction.atomic():
            message = Message.objects.create(key=key, handler=name, args=list(args))
    except IntegrityError:
        return Message.objects.get(key=key)  # the same intent, recorded before
    transaction.on_commit(lambda: publish(message.pk))
    return message


def publish(message_id: int) -> bool:
    """Hand the message to the broker. False (and a log line) when the broker is unreachable:
    the row stays pending and the sweep publishes it again."""
    from hms.lib.outbox.tasks import run

    # Stamped before sending: a worker may run (and fail) the message before this line returns.
    stamp = timezone.now()
    Message.objects.filter(pk=message_id).update(published_at=stamp)
    try:
        run.apply_async(args=[message_id], retry=True, retry_policy=PUBLISH_POLICY)
    except Exception as exc:  # noqa: BLE001 - kombu raises many kinds of connection errors
        Message.objects.filter(pk=message_id, published_at=stamp).update(published_at=None)
        logger.warning(
            "Broker unreachable; outbox message %s waits for the sweep",
            message_id,
            extra={"error": str(exc)},
        )
        return False
    return True


def claim(message_id: int, now: datetime | None = None) -> bool:
    """Take the message for this worker: one conditional UPDATE, so only one claimer wins."""
    now = now or timezone.now()
    stale = now - _seconds("HMS_OUTBOX_CLAIM_TIMEOUT", 600)
    claimable = Q(
        status__in=[Message.Status.PENDING, Message.Status.FAILED], available_at__lte=now
    ) | Q(status=Message.Status.RUNNING, claimed_at__lt=stale)
    return bool(
        Message.objects.filter(claimable, pk=message_id).update(
            status=Message.Status.RUNNING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def process(message_id: int) -> str:
    """Claim and run one message; "done", "failed" (retried later) or "skipped"."""
    if not claim(message_id):
        return "skipped"
    message = Message.objects.get(pk=message_id)
    token = current_key.set(message.key)
    try:
        if not _known(message.handler):
            raise LookupError(f"No outbox handler named {message.handler!r}")
        HANDLERS[message.handler](*message.args)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        _failed(message, exc)
        return "failed"
    finally:
        current_key.reset(token)
    Message.objects.filter(pk=message.pk, status=Message.Status.RUNNING).update(
        status=Message.Status.DONE, finished_at=timezone.now(), last_error=""
    )
    return "done"


def _failed(message: Message, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:300]
    attempts = Message.objects.values_list("attempts", flat=True).get(pk=message.pk)
    if attempts >= getattr(settings, "HMS_OUTBOX_MAX_ATTEMPTS", 8):
        status, delay = Message.Status.DEAD, timedelta(0)
        logger.error("Outbox message %s (%s) gave up: %s", message.pk, message.key, error)
    else:
        # 30 s, 1, 2, 4 … minutes, at most an hour between attempts.
        status = Message.Status.FAILED
        delay = timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))
        logger.warning("Outbox message %s (%s) failed: %s", message.pk, message.key, error)
    Message.objects.filter(pk=message.pk).update(
        status=status,
        last_error=error,
        available_at=timezone.now() + delay,
        published_at=None,
    )


def due(now: datetime | None = None):
    """Messages to publish (again): never published or lost, due for a retry, or claimed by a
    worker that died."""
    now = now or timezone.now()
    not_recently_published = Q(published_at__isnull=True) | Q(
        published_at__lt=now - _seconds("HMS_OUTBOX_REPUBLISH_AFTER", 120)
    )
    waiting = Q(status__in=[Message.Status.PENDING, Message.Status.FAILED], available_at__lte=now)
    abandoned = Q(
        status=Message.Status.RUNNING,
        claimed_at__lt=now - _seconds("HMS_OUTBOX_CLAIM_TIMEOUT", 600),
    )
    return Message.objects.filter((waiting | abandoned) & not_recently_published)


def sweep(now: datetime | None = None, limit: int = 500) -> int:
    """Publish what is due; returns how many were handed to the broker."""
    ids = list(due(now).order_by("available_at").values_list("pk", flat=True)[:limit])
    return sum(publish(pk) for pk in ids)
