"""Reads for scheduling pages that are more than one queryset method."""

from __future__ import annotations

from django.utils import timezone

from clinic.models import Doctor
from scheduling.models import Appointment, Holiday, Leave, WorkingHours


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
