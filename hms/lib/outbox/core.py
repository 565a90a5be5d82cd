"""Writing, publishing, claiming and running outbox messages (see the package docstring)."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from hms.lib.outbox.models import Message
from hms.lib.outbox.registry import HANDLERS, SENSITIVE, current_claim, current_key

logger = logging.getLogger(__name__)

# One quick attempt: a dead broker must not hold the request that caused the message (the sweep
# publishes it later).
PUBLISH_POLICY = {"max_retries": 0}
# After a failed publish this process leaves publishing to the sweep for a while: a broker that
# drops packets would otherwise cost every message of a request its connect timeout.
BROKER_PAUSE = 15.0
_broker_paused_until = 0.0


def _seconds(name: str, default: int) -> timedelta:
    return timedelta(seconds=getattr(settings, name, default))


def _known(name: str) -> bool:
    if name not in HANDLERS:
        # Handlers live in the apps' tasks modules, which Celery imports on first use.
        current_app.loader.import_default_modules()
    return name in HANDLERS


def enqueue(name: str, *args, key: str | None = None, exists_ok: bool = False) -> Message:
    """Record the message (in the caller's transaction) and publish it after commit.

    `exists_ok`: the same key may have been enqueued before (a beat fan-out run twice); the first
    message is returned and nothing new happens. Otherwise a repeated key is a programming error.
    """
    if not _known(name):
        raise LookupError(f"No outbox handler named {name!r}")
    fields = {"handler": name, "args": list(args), "published_at": timezone.now()}
    if exists_ok and key:
        try:
            with transaction.atomic():
                message = Message.objects.create(key=key, **fields)
        except IntegrityError:
            return Message.objects.get(key=key)  # the same intent, recorded before
    else:
        message = Message.objects.create(key=key or f"{name}:{uuid.uuid4().hex}", **fields)
    # published_at is set optimistically with the row: a crash before the publish below leaves
    # the message to the sweep once OUTBOX_REPUBLISH_AFTER has passed.
    transaction.on_commit(lambda: publish(message.pk, stamped=True))
    return message


def publish(message_id: int, *, stamped: bool = False) -> bool:
    """Hand the message to the broker. False (and a log line) when the broker is unreachable:
    the row is left for the sweep."""
    global _broker_paused_until
    from hms.lib.outbox.tasks import run

    if time.monotonic() < _broker_paused_until:
        Message.objects.filter(pk=message_id).update(published_at=None)
        return False
    if not stamped:  # before sending: a worker may run (and fail) it before this returns
        Message.objects.filter(pk=message_id).update(published_at=timezone.now())
    try:
        run.apply_async(args=[message_id], retry=True, retry_policy=PUBLISH_POLICY)
    except Exception as exc:  # noqa: BLE001 - kombu raises many kinds of connection errors
        _broker_paused_until = time.monotonic() + BROKER_PAUSE
        Message.objects.filter(pk=message_id).update(published_at=None)
        logger.warning(
            "Broker unreachable; outbox message %s waits for the sweep",
            message_id,
            extra={"error": str(exc)},
        )
        return False
    return True


def claim(message_id: int, now: datetime | None = None) -> datetime | None:
    """Take the message for this worker: one conditional UPDATE, so only one claimer wins.
    Returns the claim's time, which the end-of-run updates must match (None: not claimed)."""
    now = now or timezone.now()
    stale = now - _seconds("HMS_OUTBOX_CLAIM_TIMEOUT", 600)
    claimable = Q(
        status__in=[Message.Status.PENDING, Message.Status.FAILED], available_at__lte=now
    ) | Q(status=Message.Status.RUNNING, claimed_at__lt=stale)
    claimed = Message.objects.filter(claimable, pk=message_id).update(
        status=Message.Status.RUNNING, claimed_at=now, attempts=F("attempts") + 1
    )
    return now if claimed else None


def renew_claim() -> None:
    """Called by long handlers (exports) as they progress: the claim stays fresh, so the sweep
    does not hand the message to a second worker while this one is still at it."""
    key, claimed_at = current_key.get(), current_claim.get()
    if key and claimed_at:
        now = timezone.now()
        if Message.objects.filter(key=key, claimed_at=claimed_at).update(claimed_at=now):
            current_claim.set(now)


def process(message_id: int) -> str:
    """Claim and run one message; "done", "failed" (retried later) or "skipped"."""
    claimed_at = claim(message_id)
    if claimed_at is None:
        return "skipped"
    message = Message.objects.get(pk=message_id)
    if message.attempts > getattr(settings, "HMS_OUTBOX_MAX_ATTEMPTS", 20):
        # Claimed that often without an outcome: it kills its worker. Stop here.
        _finish(message, claimed_at, Message.Status.DEAD, error="Gave up: claimed too often")
        logger.error("Outbox message %s (%s) gave up after %s claims", message.pk, message.key,
                     message.attempts)  # fmt: skip
        return "failed"
    key_token, claim_token = current_key.set(message.key), current_claim.set(claimed_at)
    try:
        if not _known(message.handler):
            raise LookupError(f"No outbox handler named {message.handler!r}")
        HANDLERS[message.handler](*message.args)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        _failed(message, exc)
        return "failed"
    finally:
        claimed_at = current_claim.get()  # renewed by a long handler
        current_key.reset(key_token)
        current_claim.reset(claim_token)
    _finish(message, claimed_at, Message.Status.DONE)
    return "done"


def _finish(message: Message, claimed_at: datetime, status: str, *, error: str = "") -> None:
    fields = {"status": status, "finished_at": timezone.now(), "last_error": error}
    if status == Message.Status.DONE and message.handler in SENSITIVE:
        fields["args"] = []  # e.g. a rendered password-reset e-mail: not kept once sent
    # Only while the claim is still ours: a second worker may have taken over a stale one.
    Message.objects.filter(pk=message.pk, claimed_at=claimed_at).update(**fields)


def _failed(message: Message, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:300]
    claimed_at = current_claim.get()
    attempts = Message.objects.values_list("attempts", flat=True).get(pk=message.pk)
    give_up_after = _seconds("HMS_OUTBOX_GIVE_UP_AFTER", 86400)
    if timezone.now() - message.created > give_up_after:
        status, delay = Message.Status.DEAD, timedelta(0)
        logger.error("Outbox message %s (%s) gave up: %s", message.pk, message.key, error)
    else:
        # 30 s, 1, 2, 4 … minutes, at most an hour between attempts.
        status = Message.Status.FAILED
        delay = timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))
        logger.warning("Outbox message %s (%s) failed: %s", message.pk, message.key, error)
    Message.objects.filter(pk=message.pk, claimed_at=claimed_at).update(
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
        published_at__lt=now - _seconds("HMS_OUTBOX_REPUBLISH_AFTER", 300)
    )
    waiting = Q(status__in=[Message.Status.PENDING, Message.Status.FAILED], available_at__lte=now)
    abandoned = Q(
        status=Message.Status.RUNNING,
        claimed_at__lt=now - _seconds("HMS_OUTBOX_CLAIM_TIMEOUT", 600),
    )
    return Message.objects.filter((waiting | abandoned) & not_recently_published)


def sweep(now: datetime | None = None, limit: int = 500) -> int:
    """Publish what is due; returns how many were handed to the broker."""
    global _broker_paused_until
    _broker_paused_until = 0.0  # the sweep always tries the broker again
    ids = list(due(now).order_by("available_at").values_list("pk", flat=True)[:limit])
    return sum(publish(pk) for pk in ids)


def backlog(now: datetime | None = None) -> dict[str, float | int | None]:
    """For /healthz: how old the oldest message still waiting is, and how many gave up."""
    now = now or timezone.now()
    waiting = Message.objects.filter(
        status__in=[Message.Status.PENDING, Message.Status.FAILED, Message.Status.RUNNING]
    ).aggregate(oldest=Min("created"))["oldest"]
    return {
        "oldest_waiting_seconds": round((now - waiting).total_seconds()) if waiting else None,
        "gave_up": Message.objects.filter(status=Message.Status.DEAD).count(),
    }


def purge_done(older_than: timedelta = timedelta(days=30)) -> int:
    """Delete messages done more than `older_than` ago (the nightly clean-up)."""
    cutoff = timezone.now() - older_than
    return Message.objects.filter(status=Message.Status.DONE, finished_at__lt=cutoff).delete()[0]
