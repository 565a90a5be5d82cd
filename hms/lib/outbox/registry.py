"""Handlers by name (filled when each app's tasks.py is imported) and the key being run."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime

HANDLERS: dict[str, Callable[..., object]] = {}
# Handlers whose arguments hold secrets (a rendered e-mail with a sign-in link): the arguments
# are blanked once the message is done.
SENSITIVE: set[str] = set()

# The key of the message a worker is running now ("" outside the outbox): e-mails use it to make
# their Message-ID, so that a copy sent again after a crash is recognisably the same message.
current_key: ContextVar[str] = ContextVar("outbox_current_key", default="")
# When this worker claimed it (None outside the outbox): the claim long handlers renew.
current_claim: ContextVar[datetime | None] = ContextVar("outbox_current_claim", default=None)


def handler(
    name: str, *, sensitive: bool = False
) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Register a function as the handler of messages named `name`."""

    def register(function: Callable[..., object]) -> Callable[..., object]:
        if HANDLERS.get(name, function) is not function:
            raise ValueError(f"Two outbox handlers are named {name!r}")
        HANDLERS[name] = function
        if sensitive:
            SENSITIVE.add(name)
        return function

    return register
