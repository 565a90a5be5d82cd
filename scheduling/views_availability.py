"""Doctor availability (weekly hours, single-slot overrides, leave) and hospital holidays."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from scheduling import access, selectors, services, slots
from scheduling.forms import HolidayForm, LeaveForm, WorkingHoursFormSet
from scheduling.models import Appointment, Holiday, Leave, SlotOverride
from scheduling.views import _parse_day


def _doctor_query(request: HttpRequest, doctor) -> str:
    return f"?doctor={doctor.pk}" if access.is_scheduling_staff(request.user) else ""


def availability(request: HttpRequest) -> HttpResponse:
    doctor = access.get_schedule_doctor(
        request.user, request.GET.get("doctor") or request.POST.get("doctor")
    )
    formset = WorkingHoursFormSet(
        request.POST or None,
        queryset=doctor.working_hours.order_by("weekday", "start"),
        prefix="hours",
    )
    if request.method == "POST" and formset.is_valid():
        rows = [
            (
                f.instance.pk,
                f.cleaned_data["weekday"],
                f.cleaned_data["start"],
                f.cleaned_data["end"],
            )
            for f in formset.kept_forms()
        ]
        try:
            services.working_hours_save(
                doctor=doctor, by=request.user, rows=rows, deleted=formset.deleted_pks()
            )
        except services.SchedulingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Working hours saved. New slots are offered at once.")
            return redirect(reverse("scheduling:availability") + _doctor_query(request, doctor))
    leaves = doctor.leaves.filter(end__gte=timezone.now()).order_by("start")
    return render(
        request,
        "scheduling/availability.html",
        {
            "doctor": doctor,
            "formset": formset,
            "leaves": leaves,
            "leave_form": LeaveForm(),
            "hours_changes": selectors.working_hours_changes(doctor),
            "doctor_query": _doctor_query(request, doctor),
        },
    )


def leave_add(request: HttpRequest) -> HttpResponse:
    """Add leave; if it covers booked appointments, show them and let the user decide."""
    doctor = access.get_schedule_doctor(request.user, request.POST.get("doctor"))
    form = LeaveForm(request.POST or None)
    back = reverse("scheduling:availability") + _doctor_query(request, doctor)
    if request.method != "POST" or not form.is_valid():
        return render(
            request, "scheduling/leave_form.html", {"form": form, "doctor": doctor, "back": back}
        )
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    affected = services.appointments_affected(start=start, end=end, doctor=doctor)
    decision = request.POST.get("affected")
    if affected and decision not in ("cancel", "keep"):
        return render(
            request,
            "scheduling/confirm_affected.html",
            {
                "what": f"Leave for {doctor.display_name}",
                "affected": affected,
                "post": request.POST,
                "back": back,
            },
        )
    _, affected = services.leave_add(
        doctor=doctor,
        start=start,
        end=end,
        reason=form.cleaned_data["reason"],
        by=request.user,
        cancel_affected=decision == "cancel",
    )
    _report(request, "Leave added", affected, decision)
    return redirect(back)


def _report(request, done: str, affected: list, decision: str | None) -> None:
    if not affected:
        messages.success(request, f"{done}.")
    elif decision == "cancel":
        messages.success(
            request, f"{done}; {len(affected)} appointment(s) cancelled and the patients notified."
        )
    else:
        count = len(affected)
        messages.warning(
            request,
            f"{done}; {count} appointment{'s' if count != 1 else ''} in that time "
            f"{'were' if count != 1 else 'was'} kept as booked and {'are' if count != 1 else 'is'} "
            "flagged until moved or cancelled.",
        )


@require_POST
def leave_delete(request: HttpRequest, pk: int) -> HttpResponse:
    leave = get_object_or_404(Leave.objects.select_related("doctor__user"), pk=pk)
    doctor = access.get_schedule_doctor(request.user, str(leave.doctor_id))
    if doctor.pk != leave.doctor_id:
        raise PermissionDenied
    services.leave_delete(leave=leave)
    messages.success(request, "Leave removed.")
    return redirect(reverse("scheduling:availability") + _doctor_query(request, doctor))


# --- Week grid of single slots (overrides) --------------------------------------------------


def _grid(doctor, first: date) -> list[dict]:
    days = [first + timedelta(days=i) for i in range(7)]
    range_start, _ = slots.day_bounds(days[0])
    _, range_end = slots.day_bounds(days[-1])
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
    length = timedelta(minutes=doctor.slot_minutes)
    now = timezone.now()
    columns = []
    for day in days:
        defaults = slots.default_starts(doctor, day)
        day_start, day_end = slots.day_bounds(day)
        extra = {s for s, on in overrides.items() if on and day_start <= s < day_end}
        cells = []
        for start in sorted(defaults | extra):
            on = overrides.get(start, start in defaults)
            cells.append(
                {
                    "start": start,
                    "key": slots.Slot(start, start).key,
                    "on": on,
                    "booked": start in booked,
                    "past": start <= now,
                    "leave": day in holidays
                    or any(s < start + length and e > start for s, e in leaves),
                }
            )
        columns.append(
            {
                "day": day,
                "cells": cells,
                "holiday": day in holidays,
                "leave": any(s <= day_start and e >= day_end for s, e in leaves),
            }
        )
    return columns


@require_safe
def slot_grid(request: HttpRequest) -> HttpResponse:
    doctor = access.get_schedule_doctor(request.user, request.GET.get("doctor"))
    first = _parse_day(request.GET.get("week")) or timezone.localdate()
    first -= timedelta(days=first.weekday())
    return render(
        request,
        "scheduling/slot_grid.html",
        {
            "doctor": doctor,
            "columns": _grid(doctor, first),
            "first": first,
            "previous": first - timedelta(days=7),
            "next": first + timedelta(days=7),
            "doctor_query": _doctor_query(request, doctor).replace("?", "&"),
        },
    )


@require_POST
def slot_toggle(request: HttpRequest) -> HttpResponse:
    """Switch one slot (or, with day= or week=, a whole day or week) on or off. htmx gets the
    cell back."""
    doctor = access.get_schedule_doctor(request.user, request.POST.get("doctor"))
    available = request.POST.get("available") == "1"
    day = _parse_day(request.POST.get("day"))
    week = _parse_day(request.POST.get("week"))
    start = None
    if day is not None or week is not None:
        first = week or day
        days = [first + timedelta(days=i) for i in range(7 if week else 1)]
        for one in days:
            for slot_start in slots.default_starts(doctor, one):
                services.override_toggle(doctor=doctor, start=slot_start, available=available)
            if not available:
                # Slots switched on outside the weekly hours go off too: "all" means all.
                day_start, day_end = slots.day_bounds(one)
                for extra in SlotOverride.objects.filter(
                    doctor=doctor, available=True, start__gte=day_start, start__lt=day_end
                ).values_list("start", flat=True):
                    services.override_toggle(doctor=doctor, start=extra, available=False)
        what = f"Week of {first:%d %B}" if week else f"{first:%A %d %B}"
        messages.success(request, f"{what}: all slots switched {'on' if available else 'off'}.")
        day = first
    else:
        start = slots.parse_slot_key(request.POST.get("slot", ""))
        if start is None:
            messages.error(request, "Unknown slot.")
        else:
            services.override_toggle(doctor=doctor, start=start, available=available)
            if request.headers.get("HX-Request"):
                cell = {
                    "start": start,
                    "key": request.POST["slot"],
                    "on": available,
                    "booked": False,
                    "past": start <= timezone.now(),
                    "leave": False,
                }
                return render(
                    request, "scheduling/_slot_cell.html", {"cell": cell, "doctor": doctor}
                )
    week = day or (start and timezone.localdate(start)) or timezone.localdate()
    query = f"?week={week.isoformat()}" + _doctor_query(request, doctor).replace("?", "&")
    return redirect(reverse("scheduling:slot-grid") + query)


# --- Hospital holidays ----------------------------------------------------------------------


def holidays(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("scheduling.add_holiday"):
        raise PermissionDenied
    form = HolidayForm(request.POST or None)
    back = reverse("scheduling:holidays")
    if request.method == "POST" and form.is_valid():
        day, name = form.cleaned_data["date"], form.cleaned_data["name"]
        start, end = slots.day_bounds(day)
        affected = services.appointments_affected(start=start, end=end)
        decision = request.POST.get("affected")
        if affected and decision not in ("cancel", "keep"):
            return render(
                request,
                "scheduling/confirm_affected.html",
                {
                    "what": f"Holiday “{name}” on {day:%A %d %B %Y}",
                    "affected": affected,
                    "post": request.POST,
                    "back": back,
                },
            )
        _, affected = services.holiday_add(
            day=day, name=name, by=request.user, cancel_affected=decision == "cancel"
        )
        _report(request, f"Holiday “{name}” added", affected, decision)
        return redirect(back)
    upcoming = Holiday.objects.filter(date__gte=timezone.localdate() - timedelta(days=30))
    return render(request, "scheduling/holidays.html", {"form": form, "holidays": upcoming})


@require_POST
def holiday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("scheduling.delete_holiday"):
        raise PermissionDenied
    holiday = get_object_or_404(Holiday, pk=pk)
    services.holiday_delete(holiday=holiday)
    messages.success(request, f"Holiday “{holiday.name}” removed.")
    return redirect("scheduling:holidays")
