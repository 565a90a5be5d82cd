"""Send-at-most-once delivery for reminders and monthly reports.

1. A ledger row exists per (appointment, kind) or (doctor, month, kind) — unique constraints.
2. A sender *claims* the row with one conditional UPDATE (pending/failed, or a "sending" claim
   older than NOTIFICATION_CLAIM_TIMEOUT left by a worker that died) — only one claimer can win.
3. It sends, then marks the row sent. A crash between the SMTP hand-off and the mark is the one
   window where a second e-mail could go out after that timeout; everything else is exact.
No database transaction is held open while talking to the mail server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from reports.models import SentNotification

logger = logging.getLogger(__name__)


def ensure_row(**key) -> SentNotification:
    """The ledger row for `key` (created if missing; a concurrent creator is fine)."""
    try:
        with transaction.atomic():
            return SentNotification.objects.get_or_create(**key)[0]
    except IntegrityError:
        return SentNotification.objects.get(**key)


def claim(notification_id: int) -> bool:
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.HMS_NOTIFICATION_CLAIM_TIMEOUT)
    claimable = Q(status__in=[SentNotification.Status.PENDING, SentNotification.Status.FAILED]) | Q(
        status=SentNotification.Status.SENDING, claimed_at__lt=stale_before
    )
    return bool(
        SentNotification.objects.filter(claimable, pk=notification_id).update(
            status=SentNotification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


class Busy(Exception):
    """Another sender holds a fresh claim on this notification: try again later."""


def deliver(notification_id: int, send: Callable[[], None]) -> str:
    """Claim, send, mark. Returns "sent", or "skipped" when it was sent (or skipped) before;
    raises Busy while another sender's claim is fresh, and re-raises a failed send."""
    if not claim(notification_id):
        status = SentNotification.objects.values_list("status", flat=True).get(pk=notification_id)
        if status == SentNotification.Status.SENDING:
            raise Busy(f"Notification {notification_id} is being sent by another worker")
        return "skipped"
    try:
        send()
    except Exception as exc:
        SentNotification.objects.filter(pk=notification_id).update(
            status=SentNotification.Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:300]
        )
        logger.warning("Notification %s failed: %s", notification_id, exc)
        raise
    SentNotification.objects.filter(pk=notification_id).update(
        status=SentNotification.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"
