"""Writes on calendar feeds: turning one on (a new address), off, and its options.

The address's token is returned to the caller once and never stored: the row keeps its first
characters (to find it) and its SHA-256. A new address replaces the digest, so the old address
stops answering at once.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from scheduling.feed_models import PREFIX_LENGTH, CalendarFeed, new_feed_token, token_digest


@transaction.atomic
def calendar_feed_enable(*, owner: User) -> str:
    """Turn the owner's feed on with a new address; returns its token (shown once)."""
    feed, _ = CalendarFeed.objects.select_for_update().get_or_create(owner=owner)
    token = new_feed_token()
    feed.token_prefix = token[:PREFIX_LENGTH]
    feed.token_digest = token_digest(token)
    feed.token_created_at = timezone.now()
    feed.full_clean()
    feed.save()
    return token


def calendar_feed_regenerate(*, owner: User) -> str:
    """A new address for the owner's feed; the old one stops answering. Returns the token."""
    return calendar_feed_enable(owner=owner)


@transaction.atomic
def calendar_feed_revoke(*, owner: User) -> None:
    """Turn the owner's feed off: its address stops answering (404). The options are kept."""
    feed = CalendarFeed.objects.select_for_update().filter(owner=owner).first()
    if feed is None:
        return
    feed.token_prefix, feed.token_digest, feed.token_created_at = None, "", None
    feed.save()


@transaction.atomic
def calendar_feed_set_options(*, owner: User, include_reason: bool) -> CalendarFeed:
    """A doctor's choice to show the reason for the visit in their feed's events."""
    feed, _ = CalendarFeed.objects.select_for_update().get_or_create(owner=owner)
    feed.include_reason = include_reason
    feed.save()
    return feed


def calendar_feed_fetched(*, feed: CalendarFeed, now: datetime) -> None:
    """Note when a calendar app last fetched the feed (shown on the feed's page). An UPDATE of
    the one column: the feed's `updated`, part of its version, stays as it was."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched=now)
