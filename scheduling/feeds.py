"""Calendar feeds: which appointments a feed holds, its version (ETag, Last-Modified) and its
iCalendar text (RFC 5545, built with the `icalendar` library).

A fetch costs the same few queries whatever the number of appointments: the feed row (access.py),
one aggregate over the window for the version — compared with the calendar app's copy before
anything is built, so an unchanged feed is answered 304 — and then the window's rows. Both read
(doctor, start) or (patient, start), served by the sched_appt_doctor_start and
sched_appt_patient_start indexes. The window is whole days in the hospital's time zone, so it
moves once a day, and the day is part of the version.

Minimal data by design: a doctor's feed names patients by initials (and the reason for the visit
only when the doctor turned it on); a patient's feed names the doctor and department.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

import icalendar
from django.conf import settings
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from clinic.selectors import DIRECTORY
from hms.lib import cached
from scheduling.models import Appointment, CalendarFeed

FORMAT = "2"  # part of every version: change it when the events' text changes
BODIES = "scheduling.calendar_feeds"  # the cached family of built feeds (hms.lib.cached)
BODY_TTL = 60 * 60
EVENT_FIELDS = (  # what an event reads: loading every column of five tables costs twice the CPU
    "start", "end", "status", "reason", "updated", "sequence", "origin", "rescheduled_from",
    "doctor__user__first_name", "doctor__user__last_name", "doctor__department__name",
    "patient__user__first_name", "patient__user__last_name",
)  # fmt: skip


@dataclass(frozen=True)
class Version:
    etag: str
    last_modified: datetime


def feed_kind(feed: CalendarFeed) -> str:
    """ "doctor" or "patient": whose appointments the feed holds."""
    return "doctor" if hasattr(feed.owner, "doctor_profile") else "patient"


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()), timezone.get_current_timezone())


def window(now: datetime) -> tuple[datetime, datetime]:
    """From midnight CALENDAR_FEED_PAST_DAYS ago to the end of CALENDAR_FEED_FUTURE_DAYS ahead."""
    today = timezone.localdate(now)
    return (
        _midnight(today - timedelta(days=settings.HMS_CALENDAR_FEED_PAST_DAYS)),
        _midnight(today + timedelta(days=settings.HMS_CALENDAR_FEED_FUTURE_DAYS + 1)),
    )


def feed_appointments(feed: CalendarFeed, *, now: datetime):
    """The owner's appointments starting in the window, moved-away rows included (`feed_ical`
    leaves out those whose new row is in the feed: a move is one event)."""
    start, end = window(now)
    in_window = Appointment.objects.filter(start__gte=start, start__lt=end)
    if feed_kind(feed) == "doctor":
        return in_window.filter(doctor=feed.owner.doctor_profile.pk)
    return in_window.filter(patient=feed.owner.patient_profile.pk)


def _one_per_event(rows) -> list[Appointment]:
    """Each event once, as its newest row: a row moved to another row of the same feed is left
    out. Done here rather than by a join in SQL (see docs/performance.md): a move always goes to
    a free slot in the future, so the new row is in the window too. A row moved to a colleague
    stays, as the cancellation, in the first doctor's feed."""
    rows = list(rows)
    moved = {row.rescheduled_from_id for row in rows if row.rescheduled_from_id}
    return [row for row in rows if row.pk not in moved]


def feed_version(feed: CalendarFeed, appointments, *, now: datetime) -> Version:
    """The feed's version from one aggregate (no row is loaded): it changes with any change of
    an appointment in the window (each save sets `updated`), the window's day, the feed's
    options and the directory (doctors' and departments' names). Last-Modified never goes back:
    the window's first day only ever moves on (a rename changes the ETag only)."""
    stats = appointments.aggregate(changed=Max("updated"), count=Count("pk"))
    day = timezone.localdate(now)
    parts = [
        FORMAT,
        feed.pk,
        feed.token_prefix,
        feed.updated,
        day,
        stats["count"],
        stats["changed"],
        # Doctors' and departments' names: a rename reaches the feeds on their next fetch.
        cached.token(DIRECTORY),
    ]
    etag = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
    moments = [feed.updated, _midnight(day), stats["changed"] or feed.updated]
    return Version(etag=f'"{etag}"', last_modified=max(moments).replace(microsecond=0))


def _initials(user) -> str:
    letters = [
        name.strip()[0].upper() for name in (user.first_name, user.last_name) if name.strip()
    ]
    return " ".join(f"{letter}." for letter in letters) or "Patient"


@dataclass(frozen=True)
class _Style:
    """What every event of one feed shares, worked out once per feed."""

    kind: str
    include_reason: bool
    zone: tzinfo
    location: str
    link: str  # the appointment page's address without its id

    @classmethod
    def of(cls, feed: CalendarFeed) -> _Style:
        page = reverse("scheduling:appointment-detail", args=[0])
        return cls(
            kind=feed_kind(feed),
            include_reason=feed.include_reason,
            zone=timezone.get_current_timezone(),
            location=f"{settings.HOSPITAL_NAME}, {settings.HOSPITAL_ADDRESS}",
            link=settings.HMS_BASE_URL + page.removesuffix("0/"),
        )


def _words(appointment: Appointment, style: _Style) -> tuple[str, str]:
    """The event's summary and description: what the owner's calendar may show of it."""
    status = "" if appointment.status == "booked" else f" ({appointment.get_status_display()})"
    if style.kind == "doctor":
        reason = appointment.reason if style.include_reason else ""
        summary = f"Appointment: {_initials(appointment.patient.user)}{status}"
        return summary, f"Reason for the visit: {reason}" if reason else ""
    doctor = appointment.doctor
    return (
        f"Appointment with {doctor.display_name}{status}",
        f"{doctor.display_name}, {doctor.department.name}",
    )


def _event(appointment: Appointment, style: _Style) -> icalendar.Event:
    summary, description = _words(appointment, style)
    cancelled = appointment.status == Appointment.Status.CANCELLED
    event = icalendar.Event()
    event.add("uid", f"appointment-{appointment.calendar_key}@{settings.HMS_CALENDAR_UID_DOMAIN}")
    event.add("dtstamp", appointment.updated)
    event.add("sequence", appointment.sequence)
    event.add("dtstart", appointment.start.astimezone(style.zone))
    event.add("dtend", appointment.end.astimezone(style.zone))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    event.add("location", style.location)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add("url", f"{style.link}{appointment.pk}/")
    return event


def feed_body(feed: CalendarFeed, version: Version, *, now: datetime) -> bytes:
    """The feed's text for `version`, kept in the shared cache under it: a calendar app that
    fetches an unchanged feed without asking "if changed" costs a cache read, not the build
    (about 1 s for a busy doctor's 1,800 events). A new version is a new key: nothing to clear."""
    key = f"{feed.pk}:{version.etag}"
    return cached.cached(BODIES, key, lambda: feed_ical(feed, now=now), BODY_TTL)


def feed_ical(feed: CalendarFeed, *, now: datetime) -> bytes:
    """The whole feed as iCalendar text, with a VTIMEZONE for the hospital's zone."""
    style = _Style.of(feed)
    rows = (
        feed_appointments(feed, now=now)
        .select_related("doctor__user", "doctor__department", "patient__user")
        .only(*EVENT_FIELDS)
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.HOSPITAL_NAME}//HMS appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{settings.HOSPITAL_NAME} appointments")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for appointment in _one_per_event(rows.order_by("start", "pk")):
        calendar.add_component(_event(appointment, style))
    first, last = window(now)
    calendar.add_missing_timezones(
        first_date=first.date() - timedelta(days=1), last_date=last.date() + timedelta(days=1)
    )
    return calendar.to_ical()
