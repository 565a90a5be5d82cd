"""Request rate limits in the shared cache: `wait = hit(key, limit=, period=)`.

A fixed window per key: the first hit of a window creates its counter with `cache.add` (so
processes racing to create it agree), every hit increments it atomically (`incr` is atomic in
Redis and, within one process, in the local-memory cache). Counters live in the cache that every
web process shares, never in a process. A cache outage fails open: the request is served.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def hit(key: str, *, limit: int, period: int = 60, now: float | None = None) -> int:
    """Count one request under `key`. Returns 0 when it is within `limit` requests per `period`
    seconds, else the seconds until the window ends (for a `Retry-After` header). `key` may be a
    secret (a token): only its hash reaches the cache."""
    now = time.time() if now is None else now
    window = int(now // period)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    counter = f"ratelimit:{digest}:{window}"
    try:
        cache.add(counter, 0, timeout=period + 5)
        count = cache.incr(counter)
    except ValueError:  # the counter expired between add and incr
        cache.set(counter, 1, timeout=period + 5)
        count = 1
    except Exception:  # a cache outage must not take the pages down with it
        logger.warning("Rate limit not checked: the cache is unavailable", exc_info=True)
        return 0
    if count <= limit:
        return 0
    return max(1, int((window + 1) * period - now))
