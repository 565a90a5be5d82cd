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
from datetime import date, datetime, time, timedelta

import icalendar
from django.conf import settings
from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone

from scheduling.models import Appointment, CalendarFeed

FORMAT = "1"  # part of every version: change it when the events' text changes
EVENT_FIELDS = (  # what an event reads: loading every column of five tables costs twice the CPU
    "start", "end", "status", "reason", "updated", "sequence", "origin",
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
    """The owner's appointments starting in the window. A moved appointment is shown once, as
    its newest row (same UID); the old row stays only in a doctor's feed when the move gave
    the patient to a colleague (there it is the cancellation)."""
    start, end = window(now)
    in_window = Appointment.objects.filter(start__gte=start, start__lt=end)
    if feed_kind(feed) == "doctor":
        mine = in_window.filter(doctor=feed.owner.doctor_profile.pk)
        return mine.filter(Q(rescheduled_to__isnull=True) | ~Q(rescheduled_to__doctor=F("doctor")))
    return in_window.filter(patient=feed.owner.patient_profile.pk, rescheduled_to__isnull=True)


def feed_version(feed: CalendarFeed, appointments, *, now: datetime) -> Version:
    """The feed's version from one aggregate (no row is loaded): it changes with any change of
    an appointment in the window (each save sets `updated`), the window's day, and the feed's
    options. Last-Modified never goes back: the window's first day only ever moves on."""
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
    ]
    etag = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
    moments = [feed.updated, _midnight(day), stats["changed"] or feed.updated]
    return Version(etag=f'"{etag}"', last_modified=max(moments).replace(microsecond=0))


def _initials(user) -> str:
    letters = [
        name.strip()[0].upper() for name in (user.first_name, user.last_name) if name.strip()
    ]
    return " ".join(f"{letter}." for letter in letters) or "Patient"


def _words(appointment: Appointment, feed: CalendarFeed, kind: str) -> tuple[str, str]:
    """The event's summary and description: what the owner's calendar may show of it."""
    status = "" if appointment.status == "booked" else f" ({appointment.get_status_display()})"
    if kind == "doctor":
        reason = appointment.reason if feed.include_reason else ""
        summary = f"Appointment: {_initials(appointment.patient.user)}{status}"
        return summary, f"Reason for the visit: {reason}" if reason else ""
    doctor = appointment.doctor
    return (
        f"Appointment with {doctor.display_name}{status}",
        f"{doctor.display_name}, {doctor.department.name}",
    )


def _event(appointment: Appointment, feed: CalendarFeed, kind: str) -> icalendar.Event:
    zone = timezone.get_current_timezone()
    summary, description = _words(appointment, feed, kind)
    cancelled = appointment.status == Appointment.Status.CANCELLED
    event = icalendar.Event()
    event.add("uid", f"appointment-{appointment.calendar_key}@{settings.HMS_CALENDAR_UID_DOMAIN}")
    event.add("dtstamp", appointment.updated)
    event.add("last-modified", appointment.updated)
    event.add("sequence", appointment.sequence)
    event.add("dtstart", appointment.start.astimezone(zone))
    event.add("dtend", appointment.end.astimezone(zone))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    event.add("location", f"{settings.HOSPITAL_NAME}, {settings.HOSPITAL_ADDRESS}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add("class", "PRIVATE")
    path = reverse("scheduling:appointment-detail", args=[appointment.pk])
    event.add("url", settings.HMS_BASE_URL + path)
    return event


def feed_ical(feed: CalendarFeed, *, now: datetime) -> bytes:
    """The whole feed as iCalendar text, with a VTIMEZONE for the hospital's zone."""
    kind = feed_kind(feed)
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
    for appointment in rows.order_by("start", "pk"):
        calendar.add_component(_event(appointment, feed, kind))
    first, last = window(now)
    calendar.add_missing_timezones(
        first_date=first.date() - timedelta(days=1), last_date=last.date() + timedelta(days=1)
    )
    return calendar.to_ical()
