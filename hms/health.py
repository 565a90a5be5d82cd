"""/healthz: is this web node able to reach what it needs, and are the background jobs running?

JSON. The web node's own checks (database, cache, broker) decide the status: 200 when they pass,
else 503, so a load balancer takes out only a node that cannot serve. The background processes are
reported beside them: `worker` and `beat` with the seconds since each was last seen (heartbeat
every 30 s; stale after HEARTBEAT_STALE_AFTER, 90 s by default), and `outbox` (the oldest message
still waiting, and how many gave up). `?strict=1` answers 503 when any check fails, these
included, for monitoring that alerts on the status code.

Each check is bounded by short timeouts (database connect, Redis socket timeouts, one broker
connection attempt), so a dead dependency makes the answer slower by at most a few seconds, never
hangs it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache, caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _check_cache() -> str:
    ping = getattr(cache, "ping", None)
    if ping is not None:  # Redis with a fallback: report Redis itself, not the fallback.
        if not ping():
            raise ConnectionError("Redis does not answer (the cache is serving from its fallback)")
        return "redis"
    cache.set("healthz", "ok", 5)
    if cache.get("healthz") != "ok":
        raise ConnectionError("cache did not return what was stored")
    return type(caches["default"]).__name__


def _check_broker() -> str:
    from hms.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return conn.transport.driver_type


OUTBOX_BEHIND_AFTER = 15 * 60  # seconds a message may wait before the outbox counts as behind

CHECKS: dict[str, Callable[[], str]] = {
    "database": _check_database,
    "cache": _check_cache,
    "broker": _check_broker,
}


def job_checks() -> dict[str, dict]:
    """The worker and beat heartbeats (age in seconds, None: never seen) and the outbox: the age
    of the oldest message still waiting, and how many gave up (each needs a person)."""
    from hms.lib.outbox.core import backlog
    from hms.lib.outbox.heartbeat import ages, stale_after

    try:
        seen, waiting = ages(), backlog()
    except Exception as exc:  # noqa: BLE001 - the database check reports the cause
        logger.error("Heartbeat check failed: %s: %s", type(exc).__name__, exc)
        seen, waiting = (
            {"worker": None, "beat": None},
            {"oldest_waiting_seconds": None, "gave_up": 0},
        )
    limit = stale_after()
    checks = {
        name: {
            "ok": age is not None and age <= limit,
            "detail": "never seen" if age is None else ("ok" if age <= limit else "stale"),
            "age_seconds": None if age is None else round(age),
            "stale_after_seconds": limit,
        }
        for name, age in seen.items()
    }
    oldest = waiting["oldest_waiting_seconds"]
    behind = oldest is not None and oldest > OUTBOX_BEHIND_AFTER
    checks["outbox"] = {
        "ok": not behind and not waiting["gave_up"],
        "detail": "gave up on some messages"
        if waiting["gave_up"]
        else ("behind" if behind else "ok"),
        **waiting,
    }
    return checks


def run_checks() -> dict[str, dict]:
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail, ok = check(), True
        except Exception as exc:  # noqa: BLE001 - any failure is a failed check, reported as such
            # The details (hosts, users) go to the log, not to an anonymous caller.
            logger.error("Health check %s failed: %s: %s", name, type(exc).__name__, exc)
            detail, ok = "unavailable", False
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        results[name] = {"ok": ok, "detail": detail, "ms": elapsed_ms}
    return results


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    jobs = job_checks()
    healthy = all(c["ok"] for c in checks.values())
    jobs_ok = all(c["ok"] for c in jobs.values())
    status = "ok" if healthy and jobs_ok else ("degraded" if healthy else "unhealthy")
    failing = not healthy or (request.GET.get("strict") == "1" and not jobs_ok)
    return JsonResponse(
        {"status": status, "checks": {**checks, **jobs}},
        status=503 if failing else 200,
    )
