"""A Redis cache that fails over to a second cache instead of failing the request.

django-redis can swallow connection errors (IGNORE_EXCEPTIONS), but then every `cache.add` returns
a falsy value and allauth's rate limiter, which locks with `add`, spins until its lock timeout on
every login: pages "work" but login stalls and is no longer rate-limited. Here a Redis error
instead sends the call to FALLBACK_ALIAS (a database cache shared by all processes), logs once,
and skips Redis for RETRY_AFTER seconds so a dead Redis costs one connect timeout per window, not
one per call.

When Redis answers again (`_recover`, in each process): what every process wrote to the fallback
during the outage is carried over to Redis. The first process to recover from an outage also
drops the rest of our keys in Redis, since a change or a deletion made during the outage (an
invalidation, a sign-out) only reached the fallback; it notes the time in Redis, so processes
that recover later from the same outage only carry over what was written since. Login
rate-limit histories are merged, never dropped: the timestamps from before the outage with those
recorded during it, so a recovery never unlocks an account early. A recovery that fails half-way
is logged and does not stop the cache from serving.
"""

from __future__ import annotations

import base64
import logging
import pickle
import time
from datetime import UTC
from typing import Any

from django.core.cache import caches
from django.db import connections, router
from django.utils import timezone
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

FALLBACK_TABLE = "hms_cache_fallback"  # the DatabaseCache table settings.CACHES["fallback"] uses
RATE_LIMIT_PREFIX = "allauth:rl:"  # allauth's rate-limit histories: lists of hit timestamps
RECOVERED_AT = "cache-recovered-at"  # when a process last recovered from an outage (epoch)
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
        self._down_since = 0.0  # wall-clock time this process first saw the current outage
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
            self._down_since = time.time()
        self._was_down = True

    def _recover(self) -> None:
        # Runs before the first call that reaches Redis again; raises (a Redis error) if Redis is
        # still down. Anything else that goes wrong is logged: the cache keeps serving.
        client = self.client.get_client(write=True)
        last_recovery = float(client.get(self.make_key(RECOVERED_AT)) or 0)
        first = last_recovery < self._down_since
        try:
            if first:
                client.set(self.make_key(RECOVERED_AT), time.time())
                self._drop_all_but_rate_limits()
            carried = self._carry_over_fallback()
        except REDIS_ERRORS:
            raise
        except Exception:
            logger.exception("Redis cache recovery failed half-way; serving from Redis anyway")
            carried = 0
        self._was_down = False
        logger.warning(
            "Redis cache reachable again: %s entries written during the outage carried over%s",
            carried,
            " and older entries dropped" if first else "",
        )

    def _drop_all_but_rate_limits(self) -> None:
        stale = [
            k
            for k in self.iter_keys("*")
            if not k.startswith(RATE_LIMIT_PREFIX) and k != RECOVERED_AT
        ]
        for start in range(0, len(stale), 1000):
            RedisCache.delete_many(self, stale[start : start + 1000])

    def _carry_over_fallback(self) -> int:
        """Copy every live entry of the fallback table into Redis (rate-limit histories merged),
        then delete exactly the rows copied (a newer write to the same key stays)."""
        table = connections[router.db_for_write(self.fallback.cache_model_class)]
        carried = 0
        for key, raw_key, expires, value, ttl in self._fallback_entries():
            if key.startswith(RATE_LIMIT_PREFIX) and isinstance(value, list):
                value = sorted({*RedisCache.get(self, key, []), *value}, reverse=True)
            RedisCache.set(self, key, value, ttl)
            with table.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {FALLBACK_TABLE} WHERE cache_key = %s AND expires = %s",  # noqa: S608 - a constant table name
                    [raw_key, expires],
                )
            carried += 1
        return carried

    def _fallback_entries(self) -> list[tuple[str, str, Any, Any, float]]:
        """(key, stored key, expires, value, seconds left) of every live entry of the fallback
        table, written by any process. Reads the DatabaseCache table as Django writes it (base64
        of a pickle under "<prefix>:<version>:<key>"); HMS uses cache version 1 only. A row that
        cannot be read is skipped."""
        head = self.fallback.make_key("")
        now = timezone.now()
        entries = []
        with connections[router.db_for_read(self.fallback.cache_model_class)].cursor() as cursor:
            cursor.execute(
                f"SELECT cache_key, value, expires FROM {FALLBACK_TABLE} WHERE expires > %s",  # noqa: S608 - a constant table name
                [now],
            )
            rows = cursor.fetchall()
        for raw_key, raw_value, expires in rows:
            if not raw_key.startswith(head):
                continue
            try:
                value = pickle.loads(base64.b64decode(raw_value.encode()))  # noqa: S301 - our table
            except Exception:  # noqa: BLE001 - one bad row must not stop the others
                logger.warning("Skipped an unreadable fallback cache entry %r", raw_key)
                continue
            left = (expires if timezone.is_aware(expires) else expires.replace(tzinfo=UTC)) - now
            entries.append(
                (raw_key[len(head) :], raw_key, expires, value, max(left.total_seconds(), 1))
            )
        return entries

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
