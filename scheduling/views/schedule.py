"""A doctor's schedule: one day with the actions for each visit, or a week."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from hms.lib.request import parse_day, parse_week
from scheduling import access, selectors


def _doctor_query(request: HttpRequest, doctor) -> str:
    """Staff look at any doctor's schedule: the doctor travels in the page's links."""
    return f"&doctor={doctor.pk}" if access.is_scheduling_staff(request.user) else ""


@require_safe
def doctor_day(request: HttpRequest) -> HttpResponse:
    """A doctor's schedule for one day (today by default), with the actions for each visit."""
    doctor = access.get_schedule_doctor(request.user, request.GET.get("doctor"))
    day = parse_day(request.GET.get("date")) or timezone.localdate()
    now = timezone.now()
    appointments = selectors.doctor_day(doctor, day)
    rows = [(a, a.actions_for(request.user, now=now)) for a in appointments]
    is_today = day == timezone.localdate(now)
    return render(
        request,
        "scheduling/doctor_day.html",
        {
            "doctor": doctor,
            "day": day,
            "today": timezone.localdate(),
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "rows": rows,
            "waiting": selectors.waiting_now(appointments, now=now) if is_today else [],
            "next_url": request.get_full_path(),
            "doctor_query": _doctor_query(request, doctor),
        },
    )


@require_safe
def doctor_week(request: HttpRequest) -> HttpResponse:
    doctor = access.get_schedule_doctor(request.user, request.GET.get("doctor"))
    first = parse_week(request.GET.get("start"))
    return render(
        request,
        "scheduling/doctor_week.html",
        {
            "doctor": doctor,
            "columns": selectors.doctor_week(doctor, first),
            "today": timezone.localdate(),
            "previous": first - timedelta(days=7),
            "next": first + timedelta(days=7),
            "doctor_query": _doctor_query(request, doctor),
        },
    )
