"""Cached reads: `cached(...)` reads through the cache, `invalidate(family)` is the one verb.

Every cached value belongs to one or more families ("clinic.directory", "slots.doctor.7",
"permissions", ...). A family has a version token in the cache; a value is stored with the tokens
its families had when it was computed, and a read fetches the value and the current tokens in one
round-trip (`get_many`): a value whose tokens are no longer current is recomputed.
`invalidate(family)` replaces the token (after the transaction commits), so every process
recomputes on its next read. Tokens are read before computing: a value computed from data an
invalidation has since replaced carries the old token and is never served. The first reader
creates a token with `cache.add`, so processes racing to create it agree on one value.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


def token_key(family: str) -> str:
    """The cache key of the family's version token (to read it with other keys in one go)."""
    return f"version:{family}"


def token(family: str) -> str:
    """The family's current version token."""
    key = token_key(family)
    value = cache.get(key)
    if value is None:
        value = uuid.uuid4().hex
        if not cache.add(key, value, None):
            value = cache.get(key) or value
    return value


def cached(families: str | Iterable[str], key: str, compute: Callable[[], T], ttl: int) -> T:
    """`compute()`, cached for `ttl` seconds under `key` until any of `families` is
    invalidated. None is a value like any other (it is cached too)."""
    families = [families] if isinstance(families, str) else list(families)
    token_keys = [token_key(f) for f in families]
    value_key = ":".join([*families, key])
    found = cache.get_many([*token_keys, value_key])
    tokens = [found.get(k) for k in token_keys]
    entry = found.get(value_key)
    if entry is not None and None not in tokens and entry[0] == tokens:
        return entry[1]
    tokens = [t or token(f) for t, f in zip(tokens, families, strict=True)]
    value = compute()
    cache.set(value_key, (tokens, value), ttl)
    return value


def invalidate(family: str, *, now: bool = False) -> None:
    """Every value of `family` is recomputed on its next read: after the current transaction
    commits (nothing happens if it rolls back), or at once with `now`."""
    if now:
        cache.set(token_key(family), uuid.uuid4().hex, None)
    else:
        transaction.on_commit(lambda: invalidate(family, now=True))
