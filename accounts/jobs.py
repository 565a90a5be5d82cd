"""Enqueue Celery tasks after the transaction commits, without letting a dead broker hurt the user.

The publish is bounded (one quick retry). If the broker cannot be reached, a task marked
`inline_fallback` runs in this process instead (fine for one e-mail); others are logged as lost
so ops can re-run them. Either way the request that caused the job has already committed and
still succeeds.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


def enqueue(task: Any, *args: Any, inline_fallback: bool = True) -> None:
    try:
        task.apply_async(args=args, retry=True, retry_policy=RETRY_POLICY)
    except Exception as exc:  # noqa: BLE001 - kombu raises many kinds of connection errors
        if inline_fallback:
            logger.warning(
                "Broker unreachable; running %s inline", task.name, extra={"error": str(exc)}
            )
            task.apply(args=args)
        else:
            logger.error(
                "Broker unreachable; %s%r was not queued",
                task.name,
                args,
                extra={"error": str(exc)},
            )


def enqueue_on_commit(task: Any, *args: Any, inline_fallback: bool = True) -> None:
    transaction.on_commit(lambda: enqueue(task, *args, inline_fallback=inline_fallback))
