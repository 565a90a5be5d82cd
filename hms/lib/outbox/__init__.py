"""A transactional outbox: every side effect that leaves the database, written as a row first.

The intent to send an e-mail or build an export is a `Message` row saved in the same transaction
as the change that causes it (`enqueue`), under a send-once `key`. After the commit it is
published to Celery; a celery-beat sweep every minute publishes again whatever is due and not
done (never published because the broker was down, lost by a broker restart, failed and due for
a retry, or claimed by a worker that died). A worker runs a message only after claiming its row
with one conditional UPDATE, and marks it done right after the handler returns: a redelivered
task, a second worker or a second sweep finds the row done or claimed and does nothing. The web
request only writes the row; it never does the work itself.

A handler that runs long renews its claim as it progresses (`renew_claim`); the end-of-run
update only counts while the claim is the worker's own. A message that fails is retried with
backoff for a day (OUTBOX_GIVE_UP_AFTER), then marked "gave up" for a person to look at (Django
admin, /healthz).

What stays open is the short window between a handler's side effect and the "done" mark: a
worker killed exactly there runs the message again after `OUTBOX_CLAIM_TIMEOUT`. E-mails carry a
Message-ID derived from the key (`hms.lib.emails`), so a copy sent in that window is the same
message to mail servers and clients.

Usage (apps): register a handler in `<app>/tasks.py` and enqueue it inside the transaction.

    @outbox.handler("scheduling.appointment_email")
    def send_appointment_email(kind: str, appointment_id: int) -> None: ...

    outbox.enqueue("scheduling.appointment_email", "booked", appointment.pk,
                   key=f"appointment:{appointment.pk}:booked")
"""

from __future__ import annotations

from hms.lib.outbox.registry import current_key, handler

__all__ = ["current_key", "enqueue", "handler", "renew_claim"]


def enqueue(name: str, *args, key: str | None = None, exists_ok: bool = False):
    """Record the intent to run handler `name` with `args`, published after commit. With
    `exists_ok`, a second call with the same `key` returns the first message (one key, one side
    effect)."""
    from hms.lib.outbox.core import enqueue as _enqueue

    return _enqueue(name, *args, key=key, exists_ok=exists_ok)


def renew_claim() -> None:
    """Long handlers call this as they progress (see core.renew_claim)."""
    from hms.lib.outbox.core import renew_claim as _renew

    _renew()
