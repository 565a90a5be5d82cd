"""Calendar subscriptions: a doctor's or patient's private feed of their appointments.

Imported by scheduling/models.py (Django finds the models there); kept apart because models.py
is near its size limit.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models

from accounts.models import TimeStampedModel

PREFIX_LENGTH = 8  # the token's first characters, stored as they are to find the row


def new_feed_token() -> str:
    """A fresh token: an 8-character lookup prefix and 256 random bits, URL-safe."""
    return secrets.token_urlsafe(6)[:PREFIX_LENGTH] + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256 (hex). A long random token needs no slow hash."""
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeed(TimeStampedModel):
    """A user's subscription address. Only the token's prefix and digest are kept: the address
    itself is shown once, when it is made. Off (no prefix, no digest) until turned on."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    # NULL while the feed is off: NULLs never collide in the unique index that finds the row.
    token_prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True, null=True)  # noqa: DJ001
    token_digest = models.CharField(max_length=64, blank=True)
    token_created_at = models.DateTimeField(null=True, blank=True)
    last_fetched = models.DateTimeField(null=True, blank=True)
    include_reason = models.BooleanField(
        "show the reason for the visit",
        default=False,
        help_text="Doctors only: the patient's reason for the visit in each event. "
        "Off: initials and time only.",
    )

    class Meta:
        verbose_name = "calendar feed"

    def __str__(self) -> str:
        return f"Calendar feed of {self.owner} ({'on' if self.is_on else 'off'})"

    @property
    def is_on(self) -> bool:
        return bool(self.token_digest)
