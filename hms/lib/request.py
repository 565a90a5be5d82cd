"""Reading what a request carries: ids, dates, search text, a safe `next` address. Each parser
returns None (or a default) for anything it cannot read: never an exception, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from hms.lib.text import strip_control_characters

SANE_YEARS = 5  # dates further than this from today are refused wherever people can type them


def parse_id(value: str | None, *, max_digits: int = 12) -> int | None:
    """A positive id from a query or form parameter, or None.

    str.isdigit() accepts characters int() refuses (e.g. "²"); isdecimal() plus ASCII does not.
    """
    if value and value.isascii() and value.isdecimal() and len(value) <= max_digits:
        return int(value)
    return None


def is_sane_day(day: date) -> bool:
    return abs(day.year - timezone.localdate().year) <= SANE_YEARS


def parse_day(value: str | None) -> date | None:
    """An ISO date (YYYY-MM-DD) within a few years of today, or None (9999-12-31 + 1 day would
    overflow further on)."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day and is_sane_day(day) else None


def parse_week(value: str | None) -> date:
    """The Monday of the week holding the ISO date `value`; this week when it is missing or
    not a sane date."""
    day = parse_day(value) or timezone.localdate()
    return day - timedelta(days=day.weekday())


def search_text(request: HttpRequest, name: str = "q", *, max_length: int = 80) -> str:
    """A search box's text: control characters dropped, trimmed, at most `max_length`."""
    return strip_control_characters(request.GET.get(name, "")).strip()[:max_length]


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` address (POSTed, or in the query of a confirmation page) when it points into
    this site, else `default`."""
    target = request.POST.get("next", "") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
