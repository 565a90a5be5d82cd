"""Version tokens: one cache entry naming the current generation of a family of cached values.

Readers put `current(key)` into their cache keys; a writer calls `renew(key)` and every process
builds new keys from then on (the old entries are never read again and expire). The first reader
creates the token with `cache.add`, so processes racing to create it agree on one value.
Used by the permission cache, the doctor directory, the slot engine and the analytics.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache


def current(key: str) -> str:
    value = cache.get(key)
    if value is None:
        value = uuid.uuid4().hex
        if not cache.add(key, value, None):
            value = cache.get(key) or value
    return value


def renew(key: str) -> None:
    cache.set(key, uuid.uuid4().hex, None)
