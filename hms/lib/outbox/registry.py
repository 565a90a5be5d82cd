"""Handlers by name (filled when each app's tasks.py is imported) and the key being run."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

HANDLERS: dict[str, Callable[..., object]] = {}

# The key of the message a worker is running now ("" outside the outbox): e-mails use it to make
# their Message-ID, so that a copy sent again after a crash is recognisably the same message.
current_key: ContextVar[str] = ContextVar("outbox_current_key", default="")


def handler(name: str) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Register a function as the handler of messages named `name`."""

    def register(function: Callable[..., object]) -> Callable[..., object]:
        if HANDLERS.get(name, function) is not function:
            raise ValueError(f"Two outbox handlers are named {name!r}")
        HANDLERS[name] = function
        return function

    return register
