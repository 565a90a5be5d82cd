"""Calendar feeds: the owner's page (turn on, show the address once, new address, turn off,
options) and the feed itself, fetched by calendar apps with the address's token."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hms.lib import ratelimit
from hms.lib.confirm import Confirmation, confirm_page
from scheduling import access, feeds, services
from scheduling.feed_models import token_digest
from scheduling.forms import CalendarFeedOptionsForm
from scheduling.models import CalendarFeed

NEW_ADDRESS_KEY = "calendar_feed_new_address"  # session key: a new address, shown on one page


def _addresses(token: str) -> dict[str, str]:
    https = settings.HMS_BASE_URL + reverse("scheduling:calendar-feed-ics", args=[token])
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@require_safe
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """The feed's page. A new address is shown here once, right after it was made."""
    kind = access.get_calendar_feed_kind(request.user)
    feed = CalendarFeed.objects.filter(owner=request.user).first()
    token = request.session.pop(NEW_ADDRESS_KEY, None)
    is_on = feed is not None and feed.is_on
    if token and not (is_on and token_digest(token) == feed.token_digest):
        token = None  # replaced or turned off since (in another tab): not the address any more
    options = None
    if kind == "doctor":
        include = feed.include_reason if feed else False
        options = CalendarFeedOptionsForm(initial={"include_reason": include})
    context = {
        "kind": kind,
        "feed": feed if is_on else None,
        "addresses": _addresses(token) if token else None,
        "options": options,
        "past_days": settings.HMS_CALENDAR_FEED_PAST_DAYS,
    }
    return render(request, "scheduling/calendar_feed.html", context)


def _show_new_address(request: HttpRequest, token: str, text: str) -> HttpResponse:
    request.session[NEW_ADDRESS_KEY] = token
    messages.success(request, text)
    return redirect("scheduling:calendar-feed")


@require_POST
def calendar_feed_enable(request: HttpRequest) -> HttpResponse:
    access.get_calendar_feed_kind(request.user)
    token = services.calendar_feed_enable(owner=request.user)
    return _show_new_address(request, token, "Your calendar feed is on.")


def _confirmation(kind: str) -> Confirmation:
    back = reverse("scheduling:calendar-feed")
    if kind == "regenerate":
        return Confirmation(
            title="New calendar address",
            question="Make a new address for your calendar feed?",
            consequences=[
                "The current address stops working at once: calendars subscribed to it stop "
                "updating.",
                "You subscribe again with the new address, shown once on the next page.",
            ],
            button="Make a new address",
            back=back,
            back_label="Calendar subscription",
            keep_label="Keep the current address",
        )
    return Confirmation(
        title="Turn off the calendar feed",
        question="Turn off your calendar feed?",
        consequences=[
            "The address stops working at once: calendars subscribed to it stop updating.",
            "You can turn the feed on again later; it will have a new address.",
        ],
        button="Turn off",
        back=back,
        back_label="Calendar subscription",
        keep_label="Keep it on",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def calendar_feed_regenerate(request: HttpRequest) -> HttpResponse:
    """GET asks; POST makes a new address (the old one stops)."""
    access.get_calendar_feed_kind(request.user)
    if request.method != "POST":
        return confirm_page(request, _confirmation("regenerate"))
    token = services.calendar_feed_regenerate(owner=request.user)
    return _show_new_address(request, token, "Your calendar feed has a new address.")


@require_http_methods(["GET", "HEAD", "POST"])
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    """GET asks; POST turns the feed off (its address stops)."""
    access.get_calendar_feed_kind(request.user)
    if request.method != "POST":
        return confirm_page(request, _confirmation("revoke"))
    services.calendar_feed_revoke(owner=request.user)
    messages.success(request, "Your calendar feed is off. Its address no longer works.")
    return redirect("scheduling:calendar-feed")


@require_POST
def calendar_feed_options(request: HttpRequest) -> HttpResponse:
    """A doctor's choice to show the reason for the visit (patients' feeds never show it)."""
    if access.get_calendar_feed_kind(request.user) != "doctor":
        raise PermissionDenied
    form = CalendarFeedOptionsForm(request.POST)
    form.is_valid()  # a checkbox: absent is False, nothing can be invalid
    include = form.cleaned_data.get("include_reason", False)
    services.calendar_feed_set_options(owner=request.user, include_reason=include)
    shown = "shows the reason for each visit" if include else "names patients by initials only"
    messages.success(request, f"Saved: your calendar feed {shown}.")
    return redirect("scheduling:calendar-feed")


def _too_many(wait: int) -> HttpResponse:
    response = HttpResponse(
        "Too many requests for this calendar feed: try again later.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(wait)
    return response


def _versioned(response: HttpResponse, version: feeds.Version) -> HttpResponse:
    response["ETag"] = version.etag
    response["Last-Modified"] = http_date(version.last_modified.timestamp())
    # Private (the address is a secret), kept by the app but checked again on every use.
    patch_cache_control(response, private=True, no_cache=True)
    response["X-Robots-Tag"] = "noindex"
    return response


@login_not_required
@require_safe
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed (text/calendar). Signed in by its token only; rate-limited per address; each
    fetch logged; 304 when the app's copy is current, decided before the body is built."""
    wait = ratelimit.hit(
        f"calendar-feed:{token}", limit=settings.HMS_CALENDAR_FEED_FETCHES_PER_MINUTE, period=60
    )
    if wait:
        return _too_many(wait)
    feed = access.get_calendar_feed_for_token(request, token)
    now = timezone.now()
    version = feeds.feed_version(feed, feeds.feed_appointments(feed, now=now), now=now)
    services.calendar_feed_fetched(feed=feed, now=now)
    access.log_calendar_feed_fetch(request, feed)
    unchanged = get_conditional_response(
        request, etag=version.etag, last_modified=int(version.last_modified.timestamp())
    )
    if unchanged is not None:
        return _versioned(unchanged, version)
    body = feeds.feed_body(feed, version, now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    return _versioned(response, version)
