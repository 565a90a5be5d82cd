"""/healthz: is this web node able to reach what it needs? JSON, 200 when all checks pass, else 503.

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


CHECKS: dict[str, Callable[[], str]] = {
    "database": _check_database,
    "cache": _check_cache,
    "broker": _check_broker,
}


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
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks},
        status=200 if healthy else 503,
    )
