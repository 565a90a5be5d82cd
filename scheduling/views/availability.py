"""Availability: weekly hours, leave, the grid of single slots, and hospital holidays."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import require_permission
from hms.lib.confirm import Confirmation, confirm_page
from hms.lib.forms import show_as_typed
from hms.lib.formsets import with_blank_form
from hms.lib.request import parse_day, parse_week
from scheduling import access, selectors, services, slots
from scheduling.forms import HolidayForm, LeaveForm, WorkingHoursFormSet
from scheduling.models import Holiday

ADD_ROW = "hours-add"  # the "Add a row" submit button (the page's script adds rows in place)


def _doctor_query(request: HttpRequest, doctor, sep: str = "?") -> str:
    """Staff look at any doctor's availability: the doctor travels in the page's links."""
    return f"{sep}doctor={doctor.pk}" if access.is_scheduling_staff(request.user) else ""


def _back(request: HttpRequest, doctor) -> str:
    return reverse("scheduling:availability") + _doctor_query(request, doctor)


def availability(request: HttpRequest) -> HttpResponse:
    doctor = access.get_schedule_doctor(
        request.user,
        request.GET.get("doctor") or request.POST.get("doctor"),
        staff_perm=access.HOURS_PERM,
    )
    data = request.POST if request.method == "POST" else None
    adding = data is not None and ADD_ROW in data
    if adding:  # without JavaScript: the form comes back as typed with one more blank row
        data = with_blank_form(data, "hours", limit=WorkingHoursFormSet.absolute_max)
    formset = WorkingHoursFormSet(
        data, queryset=doctor.working_hours.order_by("weekday", "start"), prefix="hours"
    )
    if adding:
        show_as_typed(formset)
    elif request.method == "POST" and formset.is_valid():
        try:
            services.working_hours_save(
                doctor=doctor, by=request.user, rows=formset.rows(), deleted=formset.deleted_pks()
            )
        except services.SchedulingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Working hours saved. New slots are offered at once.")
            return redirect(_back(request, doctor))
    return render(
        request,
        "scheduling/availability.html",
        {
            "doctor": doctor,
            "formset": formset,
            "add_row": ADD_ROW,
            "leaves": doctor.leaves.filter(end__gte=timezone.now()).order_by("start"),
            "leave_form": LeaveForm(),
            "hours_changes": selectors.working_hours_changes(doctor),
            "doctor_query": _doctor_query(request, doctor),
        },
    )


def _confirm_affected(request, what: str, affected: list, back: str) -> HttpResponse:
    """Leave or a holiday over booked appointments: show them and ask to keep or cancel."""
    context = {"what": what, "affected": affected, "post": request.POST, "back": back}
    return render(request, "scheduling/confirm_affected.html", context)


def _decision(request: HttpRequest, affected: list) -> str | None:
    """ "cancel", "keep", or None when the person still has to be asked."""
    if not affected:
        return "keep"  # nothing to decide
    decision = request.POST.get("affected")
    return decision if decision in ("cancel", "keep") else None


def leave_add(request: HttpRequest) -> HttpResponse:
    """Add leave; if it covers booked appointments, show them and let the user decide."""
    doctor = access.get_schedule_doctor(
        request.user, request.POST.get("doctor"), staff_perm=access.LEAVE_PERM
    )
    form = LeaveForm(request.POST or None)
    back = _back(request, doctor)
    if request.method != "POST" or not form.is_valid():
        context = {"form": form, "doctor": doctor, "back": back}
        return render(request, "scheduling/leave_form.html", context)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    affected = services.appointments_affected(start=start, end=end, doctor=doctor)
    decision = _decision(request, affected)
    if decision is None:
        return _confirm_affected(request, f"Leave for {doctor.display_name}", affected, back)
    _, affected = services.leave_add(
        doctor=doctor, start=start, end=end, reason=form.cleaned_data["reason"],
        by=request.user, cancel_affected=decision == "cancel",
    )  # fmt: skip
    _report(request, "Leave added", affected, decision)
    return redirect(back)


def _report(request, done: str, affected: list, decision: str | None) -> None:
    count = len(affected)
    many = count != 1
    if not affected:
        messages.success(request, f"{done}.")
    elif decision == "cancel":
        messages.success(
            request,
            f"{done}; {count} appointment{'s' if many else ''} cancelled and the "
            f"patient{'s' if many else ''} notified.",
        )
    else:
        messages.warning(
            request,
            f"{done}; {count} appointment{'s' if many else ''} in that time "
            f"{'were' if many else 'was'} kept as booked and {'are' if many else 'is'} "
            "flagged until moved or cancelled.",
        )


def _kept_line(kept: list) -> str:
    if not kept:
        return "No booked appointment falls in this time."
    many = len(kept) != 1
    return (
        f"{len(kept)} kept booking{'s' if many else ''} stay{'' if many else 's'} booked and "
        f"{'are' if many else 'is'} no longer flagged."
    )


@require_http_methods(["GET", "HEAD", "POST"])
def leave_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks (what the leave covers, what stays booked); POST removes it."""
    leave = access.get_leave_for_user(request.user, pk)
    back = _back(request, leave.doctor)
    if request.method != "POST":
        kept = services.appointments_affected(start=leave.start, end=leave.end, doctor=leave.doctor)
        when = f"{date_format(localtime(leave.start), 'j M Y H:i')} – "
        when += date_format(localtime(leave.end), "j M Y H:i")
        return confirm_page(request, Confirmation(
            title="Remove leave",
            question=f"Remove {leave.doctor.display_name}’s leave from {when}?",
            consequences=[
                "The doctor’s slots in this time are offered for booking again.",
                _kept_line(kept),
            ],
            button="Remove leave", back=back, back_label="Availability", keep_label="Keep leave",
        ))  # fmt: skip
    services.leave_delete(leave=leave)
    messages.success(request, "Leave removed.")
    return redirect(back)


@require_safe
def slot_grid(request: HttpRequest) -> HttpResponse:
    doctor = access.get_schedule_doctor(
        request.user, request.GET.get("doctor"), staff_perm=access.HOURS_PERM
    )
    first = parse_week(request.GET.get("week"))
    return render(
        request,
        "scheduling/slot_grid.html",
        {
            "doctor": doctor,
            "columns": selectors.slot_grid(doctor, first),
            "first": first,
            "previous": first - timedelta(days=7),
            "next": first + timedelta(days=7),
            "doctor_query": _doctor_query(request, doctor, sep="&"),
        },
    )


@require_POST
def slot_toggle(request: HttpRequest) -> HttpResponse:
    """Switch one slot (or, with day= or week=, a whole day or week) on or off. htmx gets the
    cell back."""
    doctor = access.get_schedule_doctor(
        request.user, request.POST.get("doctor"), staff_perm=access.HOURS_PERM
    )
    available = request.POST.get("available") == "1"
    day, week = parse_day(request.POST.get("day")), parse_day(request.POST.get("week"))
    start = slots.parse_slot_key(request.POST.get("slot", ""))
    if day or week:
        first = week or day
        services.slots_switch_days(
            doctor=doctor, days=[first + timedelta(days=i) for i in range(7 if week else 1)],
            available=available,
        )  # fmt: skip
        what = f"Week of {first:%d %B}" if week else f"{first:%A %d %B}"
        messages.success(request, f"{what}: all slots switched {'on' if available else 'off'}.")
    elif start is None:
        messages.error(request, "Unknown slot.")
    else:
        services.override_toggle(doctor=doctor, start=start, available=available)
        if request.headers.get("HX-Request"):
            cell = selectors.slot_cell(doctor, start, available)
            return render(
                request, "scheduling/partials/slot_cell.html", {"cell": cell, "doctor": doctor}
            )
    shown = week or day or (start and timezone.localdate(start)) or timezone.localdate()
    query = f"?week={shown.isoformat()}" + _doctor_query(request, doctor, sep="&")
    return redirect(reverse("scheduling:slot-grid") + query)


@require_permission("scheduling.add_holiday")
def holidays(request: HttpRequest) -> HttpResponse:
    form = HolidayForm(request.POST or None)
    back = reverse("scheduling:holidays")
    if request.method == "POST" and form.is_valid():
        day, name = form.cleaned_data["date"], form.cleaned_data["name"]
        start, end = slots.day_bounds(day)
        affected = services.appointments_affected(start=start, end=end)
        decision = _decision(request, affected)
        if decision is None:
            what = f"Holiday “{name}” on {day:%A %d %B %Y}"
            return _confirm_affected(request, what, affected, back)
        _, affected = services.holiday_add(
            day=day, name=name, by=request.user, cancel_affected=decision == "cancel"
        )
        _report(request, f"Holiday “{name}” added", affected, decision)
        return redirect(back)
    upcoming = Holiday.objects.filter(date__gte=timezone.localdate() - timedelta(days=30))
    return render(request, "scheduling/holidays.html", {"form": form, "holidays": upcoming})


@require_http_methods(["GET", "HEAD", "POST"])
@require_permission("scheduling.delete_holiday")
def holiday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks (naming the day and the bookings kept on it); POST removes the holiday."""
    holiday = get_object_or_404(Holiday, pk=pk)
    if request.method != "POST":
        start, end = slots.day_bounds(holiday.date)
        kept = services.appointments_affected(start=start, end=end)
        return confirm_page(request, Confirmation(
            title="Remove holiday",
            question=f"Remove the holiday “{holiday.name}” on "
            f"{date_format(holiday.date, 'D j M Y')}?",
            consequences=["The hospital opens that day: slots are offered.", _kept_line(kept)],
            button="Remove holiday", back=reverse("scheduling:holidays"),
            back_label="Holidays", keep_label="Keep holiday",
        ))  # fmt: skip
    services.holiday_delete(holiday=holiday)
    messages.success(request, f"Holiday “{holiday.name}” removed.")
    return redirect("scheduling:holidays")
