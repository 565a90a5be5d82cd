"""A Redis cache that fails over to a second cache instead of failing the request.

django-redis can swallow connection errors (IGNORE_EXCEPTIONS), but then every `cache.add` returns
a falsy value and allauth's rate limiter, which locks with `add`, spins until its lock timeout on
every login: pages "work" but login stalls and is no longer rate-limited. Here a Redis error
instead sends the call to FALLBACK_ALIAS (a database cache shared by all processes), logs once,
and skips Redis for RETRY_AFTER seconds so a dead Redis costs one connect timeout per window, not
one per call. When Redis answers again, keys under our prefix are dropped, because invalidations
made during the outage only reached the fallback and Redis may hold stale entries.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import caches
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

FALLBACK_TABLE = "hms_cache_fallback"  # the DatabaseCache table settings.CACHES["fallback"] uses
REDIS_ERRORS = (ConnectionInterrupted, RedisError, OSError)
_FAILOVER_METHODS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "decr",
    "set_many",
    "delete_many",
)


class FailoverRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": dict(params.get("OPTIONS", {}))}
        options = params["OPTIONS"]
        self._fallback_alias: str = options.pop("FALLBACK_ALIAS")
        self._retry_after = float(options.pop("RETRY_AFTER", 10))
        self._down_until = 0.0
        self._was_down = False
        super().__init__(server, params)

    @property
    def fallback(self):
        return caches[self._fallback_alias]

    def _primary_available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _mark_down(self, exc: BaseException) -> None:
        self._down_until = time.monotonic() + self._retry_after
        if not self._was_down:
            logger.error(
                "Redis cache unreachable, using the %r cache for %ss: %s",
                self._fallback_alias,
                self._retry_after,
                exc,
            )
        self._was_down = True

    def _recover(self) -> None:
        # Runs before the first call that reaches Redis again; raises if Redis is still down.
        self.delete_pattern("*")
        self._was_down = False
        logger.warning("Redis cache reachable again; dropped entries that may be stale")

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self._primary_available():
            try:
                if self._was_down:
                    self._recover()
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except REDIS_ERRORS as exc:
                self._mark_down(exc)
        return getattr(self.fallback, name)(*args, **kwargs)

    def clear(self) -> None:
        # FLUSHDB would also wipe a Celery broker sharing the Redis database: drop our keys only.
        if self._primary_available():
            try:
                self.delete_pattern("*")
            except REDIS_ERRORS as exc:
                self._mark_down(exc)
        self.fallback.clear()

    def ping(self) -> bool:
        """True when Redis itself answers (ignores the fallback); used by /healthz."""
        try:
            return bool(self.client.get_client(write=True).ping())
        except REDIS_ERRORS as exc:
            self._mark_down(exc)
            return False


def _make_failover_method(name: str):
    def method(self: FailoverRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"`{name}` on Redis, or on the fallback cache while Redis is down."
    return method


for _name in _FAILOVER_METHODS:
    setattr(FailoverRedisCache, _name, _make_failover_method(_name))
