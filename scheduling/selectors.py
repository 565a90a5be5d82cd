"""Reads for scheduling pages that are more than one queryset method."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.utils import timezone

from clinic.models import Doctor
from scheduling import slots
from scheduling.models import (
    Appointment,
    Holiday,
    Leave,
    SlotOverride,
    WaitlistEntry,
    WaitlistOffer,
    WorkingHours,
)


def attention_detail(appointment: Appointment) -> str:
    """What makes a flagged appointment need attention, for its page: the holiday's name, or the
    leave's dates and reason. "" when it needs none. One query."""
    if appointment.attention == "holiday":
        holiday = Holiday.objects.filter(date=timezone.localdate(appointment.start)).first()
        return holiday.name if holiday else ""
    if appointment.attention == "leave":
        leave = (
            Leave.objects.filter(
                doctor_id=appointment.doctor_id,
                start__lt=appointment.end,
                end__gt=appointment.start,
            )
            .order_by("start")
            .first()
        )
        if leave is None:
            return ""
        start, end = timezone.localtime(leave.start), timezone.localtime(leave.end)
        period = f"{start.day} {start:%b %H:%M} – {end.day} {end:%b %H:%M}"
        return f"{leave.reason}, {period}" if leave.reason else period
    return ""


def working_hours_changes(doctor: Doctor, *, limit: int = 10) -> list[dict]:
    """The latest changes of a doctor's weekly hours, newest first: when, who and what.

    One query. A changed interval names its previous times when the version before it is among
    the rows read (the last `limit` * 3 versions).
    """
    versions = list(
        WorkingHours.history.filter(doctor_id=doctor.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit * 3]
    )
    rows = []
    for i, version in enumerate(versions[:limit]):
        interval = (
            f"{WorkingHours.Weekday(version.weekday).label} "
            f"{version.start:%H:%M}–{version.end:%H:%M}"
        )
        if version.history_type == "+":
            what = f"Added {interval}"
        elif version.history_type == "-":
            what = f"Removed {interval}"
        else:
            before = next((v for v in versions[i + 1 :] if v.id == version.id), None)
            what = f"Changed to {interval}"
            if before is not None:
                what += (
                    f" (was {WorkingHours.Weekday(before.weekday).label} "
                    f"{before.start:%H:%M}–{before.end:%H:%M})"
                )
        user = version.history_user
        rows.append(
            {"at": version.history_date, "by": user.get_full_name() if user else "", "what": what}
        )
    return rows


# --- The slot picker ------------------------------------------------------------------------


def slot_picker(doctor: Doctor, wanted: date | None) -> dict:
    """The picker's dates (with their number of free slots, one cached engine call for the
    whole horizon) and the chosen day's slots: `wanted`, or the first day with any."""
    today = timezone.localdate()
    _, last_day = slots.booking_window()
    by_day = slots.free_slots(doctor, today, last_day)
    if wanted not in by_day:
        wanted = next((d for d, free in by_day.items() if free), today)
    return {
        "doctor": doctor,
        "days": [{"date": d, "count": len(free)} for d, free in by_day.items()],
        "day": wanted,
        "offered": by_day.get(wanted, []),
    }


def day_slots(doctor: Doctor, day: date | None) -> list[slots.Slot]:
    return slots.free_slots(doctor, day, day).get(day, []) if day else []


# --- A doctor's week of single slots (the override grid) ------------------------------------


def slot_grid(doctor: Doctor, first: date) -> list[dict]:
    """Seven columns from `first`: each day's slots as the weekly hours and the overrides make
    them, with what covers each (a booking, leave, a holiday) and whether it is past."""
    days = [first + timedelta(days=i) for i in range(7)]
    range_start, range_end = slots.day_bounds(days[0])[0], slots.day_bounds(days[-1])[1]
    overrides = dict(
        SlotOverride.objects.filter(
            doctor=doctor, start__gte=range_start, start__lt=range_end
        ).values_list("start", "available")
    )
    booked = set(
        Appointment.objects.occupying()
        .filter(doctor=doctor, start__gte=range_start, start__lt=range_end)
        .values_list("start", flat=True)
    )
    holidays = set(
        Holiday.objects.filter(date__range=(days[0], days[-1])).values_list("date", flat=True)
    )
    leaves = list(
        Leave.objects.filter(doctor=doctor, start__lt=range_end, end__gt=range_start).values_list(
            "start", "end"
        )
    )
    cover = _Cover(booked, holidays, leaves, timedelta(minutes=doctor.slot_minutes))
    return [_grid_column(doctor, day, overrides, cover) for day in days]


class _Cover:
    """What covers a slot of the grid: bookings, holidays, leave."""

    def __init__(self, booked: set, holidays: set, leaves: list, length: timedelta):
        self.booked, self.holidays, self.leaves, self.length = booked, holidays, leaves, length
        self.now = timezone.now()

    def cell(self, day: date, start, on: bool) -> dict:
        return {
            "start": start,
            "key": slots.Slot(start, start).key,
            "on": on,
            "booked": start in self.booked,
            "past": start <= self.now,
            "leave": day in self.holidays
            or any(s < start + self.length and e > start for s, e in self.leaves),
        }

    def whole_day_on_leave(self, day: date) -> bool:
        day_start, day_end = slots.day_bounds(day)
        return any(s <= day_start and e >= day_end for s, e in self.leaves)


def slot_cell(doctor: Doctor, start, available: bool) -> dict:
    """One cell of the grid, just switched (htmx answers with it)."""
    return {
        "start": start,
        "key": slots.Slot(start, start).key,
        "on": available,
        "booked": False,
        "past": start <= timezone.now(),
        "leave": False,
    }


def _grid_column(doctor: Doctor, day: date, overrides: dict, cover: _Cover) -> dict:
    defaults = slots.default_starts(doctor, day)
    day_start, day_end = slots.day_bounds(day)
    extra = {s for s, on in overrides.items() if on and day_start <= s < day_end}
    return {
        "day": day,
        "cells": [
            cover.cell(day, start, overrides.get(start, start in defaults))
            for start in sorted(defaults | extra)
        ],
        "holiday": day in cover.holidays,
        "leave": cover.whole_day_on_leave(day),
    }


# --- Lists of appointments ------------------------------------------------------------------


def history_for(user, appointment: Appointment):
    """An appointment's events, for staff and its doctor (patients see none)."""
    if user.has_perm("scheduling.manage_all_appointments") or appointment.doctor.user_id == user.pk:
        return appointment.events.select_related("actor")
    return []


def own_appointments(mine) -> tuple[list[Appointment], object]:
    """A person's appointments (from access.get_own_appointments): the upcoming open ones (at
    most 100, soonest first) and a queryset of all others, latest first."""
    now = timezone.now()
    upcoming = list(mine.open().upcoming(now).order_by("start")[:100])
    return upcoming, mine.exclude(pk__in=[a.pk for a in upcoming]).order_by("-start")


def slot_holder(doctor: Doctor, start) -> int | None:
    """The patient whose appointment holds `doctor`'s time at `start`, or None. One query."""
    end = start + timedelta(minutes=doctor.slot_minutes)
    holders = Appointment.objects.occupying().filter(doctor=doctor).overlapping(start, end)
    return holders.values_list("patient_id", flat=True).first()


def same_doctor_same_day(*, patient, doctor: Doctor, start) -> list[Appointment]:
    """The patient's appointments with `doctor` that hold their time on the day of `start`."""
    day_start, day_end = slots.day_bounds(timezone.localdate(start))
    return list(
        Appointment.objects.occupying()
        .filter(patient=patient, doctor=doctor, start__gte=day_start, start__lt=day_end)
        .order_by("start")
    )


def doctor_day(doctor: Doctor, day: date) -> list[Appointment]:
    start, end = slots.day_bounds(day)
    rows = list(
        Appointment.objects.for_doctor_list()
        .with_attention()
        .with_successor()
        .with_check_in()
        .filter(doctor=doctor, start__gte=start, start__lt=end)
        .order_by("start")
    )
    for appointment in rows:
        appointment.doctor = doctor  # the one the page is about: no join, no query per row
    return rows


def doctor_week(doctor: Doctor, first: date) -> list[tuple[date, list[Appointment]]]:
    """Seven days from `first`, each with its appointments (cancelled ones left out)."""
    days = [first + timedelta(days=i) for i in range(7)]
    start, end = slots.day_bounds(days[0])[0], slots.day_bounds(days[-1])[1]
    by_day: dict[date, list[Appointment]] = {d: [] for d in days}
    for appointment in (
        Appointment.objects.with_related()
        .with_attention()
        .filter(doctor=doctor, start__gte=start, start__lt=end)
        .exclude(status=Appointment.Status.CANCELLED)
        .order_by("start")
    ):
        by_day[timezone.localdate(appointment.start)].append(appointment)
    return list(by_day.items())


# --- Today's queue (the front desk) and who is waiting ----------------------------------------

QUEUE_ACTIONS = ("check_in", "no_show", "cancel")


def queue_appointments(day: date):
    """The day's appointments of every doctor that still count (cancelled ones left out), in
    doctor then time order, with what the queue rows show. Filter it, then pass it to queue()."""
    start, end = slots.day_bounds(day)
    return (
        Appointment.objects.for_list()
        .with_attention()
        .with_check_in()
        .filter(start__gte=start, start__lt=end)
        .exclude(status=Appointment.Status.CANCELLED)
        .order_by("doctor__user__last_name", "doctor__user__first_name", "doctor_id", "start")
    )


def queue(appointments, *, user, now=None) -> dict:
    """The queue page: the appointments (from queue_appointments) grouped by doctor, each row
    with the buttons `user` may press now and the minutes waited since check-in; and the counts.
    One query."""
    now = now or timezone.now()
    groups: list[dict] = []
    Status = Appointment.Status
    counts = dict.fromkeys(("expected", "arrived", "waiting", "done", "no_show"), 0)
    for a in appointments:
        if not groups or groups[-1]["doctor"].pk != a.doctor_id:
            groups.append({"doctor": a.doctor, "rows": []})
        actions = [(k, label) for k, label in a.actions_for(user, now=now) if k in QUEUE_ACTIONS]
        groups[-1]["rows"].append({"a": a, "actions": actions, "waiting": waiting_minutes(a, now)})
        counts["expected"] += 1
        counts["arrived"] += a.status in (Status.CHECKED_IN, Status.COMPLETED)
        counts["waiting"] += a.status == Status.CHECKED_IN
        counts["done"] += a.status == Status.COMPLETED
        counts["no_show"] += a.status == Status.NO_SHOW
    labels = {"expected": "Expected", "arrived": "Arrived", "waiting": "Waiting"}
    labels.update(done="Done", no_show="No-show")
    shown = [(label, counts[key]) for key, label in labels.items()]
    return {"groups": groups, "counts": counts, "counts_shown": shown, "now": now}


def waiting_minutes(appointment: Appointment, now=None) -> int | None:
    """Whole minutes a checked-in patient has waited (None when not waiting)."""
    waited = appointment.waiting_for(now)
    return None if waited is None else int(waited.total_seconds() // 60)


def waiting_now(day_appointments: list[Appointment], *, now=None) -> list[dict]:
    """Who is waiting for the doctor (checked in), in arrival order, with the minutes waited.
    Reads the day's list (loaded with `with_check_in()`): no query of its own."""
    now = now or timezone.now()
    waiting = [a for a in day_appointments if a.status == Appointment.Status.CHECKED_IN]
    waiting.sort(key=lambda a: (a.checked_in_at is None, a.checked_in_at or now, a.start))
    return [{"a": a, "waiting": waiting_minutes(a, now)} for a in waiting]


# --- The waitlist ---------------------------------------------------------------------------


class LiveOffer(NamedTuple):
    token: str
    start: datetime
    expires_at: datetime
    doctor_name: str


# What a row of the patient's waitlist shows (`wanted`, the dates, the time of day).
WAITLIST_ROW = (
    "doctor_id",
    "department_id",
    "first_day",
    "last_day",
    "time_of_day",
    "joined_at",
    "doctor__user__first_name",
    "doctor__user__last_name",
    "department__name",
)

OFFER_DOCTOR = ("doctor__user__first_name", "doctor__user__last_name")


def own_waitlist(user) -> dict:
    """A patient's waiting entries, each with the offer open to it now (`live_offer`), and those
    offers. One query, a second only when the patient is waiting (an entry has at most one live
    offer)."""
    entries = list(
        WaitlistEntry.objects.current()
        .select_related("doctor__user", "department")
        .only(*WAITLIST_ROW)
        .filter(patient__user=user)
    )
    live = {}
    if entries:
        live = {
            o.entry_id: LiveOffer(o.token, o.start, o.expires_at, o.doctor.display_name)
            for o in WaitlistOffer.objects.live()
            .filter(entry__in=entries)
            .select_related("doctor__user")
            .only("entry_id", "token", "start", "expires_at", *OFFER_DOCTOR)
        }
    for entry in entries:
        entry.live_offer = live.get(entry.pk)
    offers = sorted(live.values(), key=lambda o: o.start)
    return {"entries": entries, "offers": offers}


def waitlist_overview(*, offers: int = 50) -> dict:
    """For staff: everyone waiting, in line order, and the latest offers with their outcome."""
    return {
        "entries": list(WaitlistEntry.objects.current().with_related()),
        "offers": list(WaitlistOffer.objects.with_related()[:offers]),
    }
