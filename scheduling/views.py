"""Booking, rescheduling, cancelling and the appointment lists of each role."""

from __future__ import annotations

import html
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from accounts.access import int_param
from accounts.templatetags.hms_fast import pk_url
from clinic.models import Doctor
from scheduling import access, selectors, services, slots
from scheduling.filters import AppointmentFilter
from scheduling.forms import CancelForm, SlotForm
from scheduling.models import Appointment


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _parse_day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    # Far-away dates are refused (and 9999-12-31 + 1 day would overflow).
    return day if day and slots.is_sane_day(day) else None


def _picker_context(request: HttpRequest, doctor, *, extra_query: str = "") -> dict:
    """Dates with free slots (one cached call for the whole horizon) and the chosen day's slots."""
    today = timezone.localdate()
    _, last_day = slots.booking_window()
    by_day = slots.free_slots(doctor, today, last_day)
    wanted = _parse_day(request.GET.get("date") or request.POST.get("date"))
    if wanted not in by_day:
        wanted = next((d for d, s in by_day.items() if s), today)
    return {
        "doctor": doctor,
        # Formatted here: the template's date filter cost ~2 ms for the 15-day strip (bench/).
        "days": [
            {
                "date": d,
                "count": len(s),
                "iso": d.isoformat(),
                "weekday": d.strftime("%a"),
                "label": f"{d.day} {d:%b}",
            }
            for d, s in by_day.items()
        ],
        "day": wanted,
        "offered": by_day.get(wanted, []),
        "extra_query": extra_query,
    }


def _render_picker(request, template: str, context: dict) -> HttpResponse:
    if request.headers.get("HX-Request") and request.method == "GET":
        return render(request, "scheduling/_slot_picker.html", context)
    return render(request, template, context)


def _day_slot_form(request: HttpRequest, doctor, day: date | None) -> SlotForm:
    offered = slots.free_slots(doctor, day, day).get(day, []) if day else []
    return SlotForm(request.POST, offered=offered)


def book(request: HttpRequest, doctor_pk: int) -> HttpResponse:
    """Patient (or staff for a patient, ?for=<id>) picks a date and a free slot, then confirms."""
    for_patient = request.GET.get("for") or request.POST.get("for")
    patient = access.get_booking_patient(request.user, for_patient)
    doctor = access.get_bookable_doctor(doctor_pk)
    extra = f"&for={patient.pk}" if for_patient else ""
    form = None
    if request.method == "POST":
        # The service checks the slot against the database inside its transaction (is_free), so
        # the form only checks the input; the day's or the horizon's slots are computed only to
        # draw the page again after an error. Every booking replaces the doctor's cache token, so
        # computing them first cost most bookings 5 queries more (bench/).
        start = slots.parse_slot_key(request.POST.get("slot", ""))
        day = timezone.localdate(start) if start else _parse_day(request.POST.get("date"))
        claimed = (
            [slots.Slot(start, start + timedelta(minutes=doctor.slot_minutes))] if start else []
        )
        form = SlotForm(request.POST, offered=claimed)
        if form.is_valid():
            try:
                appointment = services.appointment_book(
                    patient=patient,
                    doctor=doctor,
                    start=form.cleaned_data["slot"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except services.SchedulingError as exc:
                if any(s.start == start for s in slots.free_slots(doctor, day, day).get(day, [])):
                    slots.bust_doctor(doctor.pk)  # the cache offered it: what pickers show is stale
                form = _day_slot_form(request, doctor, day)
                form.is_valid()
                form.add_error("slot", str(exc))
            else:
                when = timezone.localtime(appointment.start)
                messages.success(
                    request,
                    f"Booked: {doctor.display_name}, {when:%A %d %B at %H:%M}. "
                    "A confirmation e-mail is on its way.",
                )
                return redirect("scheduling:appointment-detail", pk=appointment.pk)
        else:  # drawn again with the day's real slots (and the same errors)
            form = _day_slot_form(request, doctor, day)
            form.is_valid()
    context = _picker_context(request, doctor, extra_query=extra)
    if form is None or not form.fields["slot"].choices:
        form = SlotForm(request.POST or None, offered=context["offered"])
    context.update(
        form=form,
        patient=patient,
        for_patient=for_patient,
        action_url=reverse("scheduling:book", args=[doctor.pk]),
    )
    return _render_picker(request, "scheduling/book.html", context)


def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """A new time with the same doctor; staff may also pick another doctor (?doctor=<id>), e.g.
    to move the patients of a blocked doctor."""
    appointment = access.get_appointment_for_user(request.user, pk)
    if not appointment.can_transition("reschedule", by=request.user):
        messages.error(request, "This appointment can no longer be rescheduled.")
        return redirect("scheduling:appointment-detail", pk=pk)
    doctor, extra, alternatives = appointment.doctor, "", []
    if access.is_scheduling_staff(request.user):
        alternatives = list(
            Doctor.objects.bookable()
            .with_related()
            .filter(department=appointment.doctor.department_id)
        )
        wanted = request.GET.get("doctor") or request.POST.get("doctor")
        wanted_id = int_param(wanted)
        if wanted_id and wanted_id != appointment.doctor_id:
            doctor = access.get_bookable_doctor(wanted_id)
            extra = f"&doctor={doctor.pk}"
    context = _picker_context(request, doctor, extra_query=extra)
    form = SlotForm(request.POST or None, offered=context["offered"], with_reason=False)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.appointment_reschedule(
                appointment=appointment,
                start=form.cleaned_data["slot"],
                by=request.user,
                doctor=doctor,
            )
        except services.SchedulingError as exc:
            slots.bust_doctor(doctor.pk)
            context = _picker_context(request, doctor, extra_query=extra)
            form = SlotForm(request.POST, offered=context["offered"], with_reason=False)
            form.is_valid()
            form.add_error("slot", str(exc))
        else:
            messages.success(
                request, f"Moved to {timezone.localtime(new.start):%A %d %B at %H:%M}."
            )
            return redirect("scheduling:appointment-detail", pk=new.pk)
    context.update(
        form=form,
        appointment=appointment,
        patient=appointment.patient,
        alternatives=alternatives,
        doctor_field=doctor.pk if doctor.pk != appointment.doctor_id else "",
        action_url=reverse("scheduling:reschedule", args=[pk]),
    )
    return _render_picker(request, "scheduling/reschedule.html", context)


ACTION_LABELS = {
    "check_in": "Check in",
    "complete": "Complete",
    "no_show": "No-show",
    "cancel": "Cancel",
    "reschedule": "Reschedule",
}


def _actions(appointment: Appointment, user, now=None) -> list[tuple[str, str]]:
    now = now or timezone.now()
    return [
        (a, label)
        for a, label in ACTION_LABELS.items()
        if appointment.can_transition(a, by=user, now=now)
    ]


def _day_row(appointment: Appointment, user, now) -> tuple:
    """One row of the doctor's day: the appointment, its URL and its buttons (action, label, URL).

    The markup of scheduling/_action_buttons.html, with the URLs reversed here: the template
    reversed four URLs a row and checked each action's rules again.
    """
    pk = appointment.pk
    buttons = []
    for action, label in _actions(appointment, user, now):
        if action == "complete":
            if appointment.doctor.user_id != user.pk:
                continue
            url = pk_url("records:complete-visit", pk)
        elif action in ("cancel", "reschedule"):
            name = "appointment-cancel" if action == "cancel" else "reschedule"
            url = pk_url(f"scheduling:{name}", pk)
        else:
            url = reverse("scheduling:appointment-action", args=[pk, action])
        buttons.append((action, label, url))
    return appointment, pk_url("scheduling:appointment-detail", pk), buttons


@require_safe
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = access.get_appointment_for_user(request.user, pk)
    show_history = (
        access.is_scheduling_staff(request.user) or appointment.doctor.user_id == request.user.pk
    )
    events = appointment.events.select_related("actor") if show_history else []
    # The visit record lives in the records app (above this one): link to it by URL name only.
    record = getattr(appointment, "visit_record", None)
    own_doctor = appointment.doctor.user_id == request.user.pk
    return render(
        request,
        "scheduling/appointment_detail.html",
        {
            "appointment": appointment,
            "actions": [a for a in _actions(appointment, request.user) if a[0] != "complete"],
            "events": events,
            "record_url": reverse("records:record-detail", args=[record.pk]) if record else "",
            "attention_detail": selectors.attention_detail(appointment),
            "can_complete": own_doctor
            and record is None
            and appointment.is_open
            and timezone.localdate(appointment.start) <= timezone.localdate(),
        },
    )


@require_POST
def appointment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """check_in or no_show. Cancel has its own page (it asks for a reason) and completing a
    visit happens only by writing its record (records:complete-visit), so no appointment can be
    completed without one."""
    if action not in ("check_in", "no_show"):
        raise Http404
    appointment = access.get_appointment_for_user(request.user, pk)
    try:
        services.appointment_transition(appointment=appointment, action=action, by=request.user)
    except services.NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{appointment.patient}: {ACTION_LABELS[action].lower()} done.")
    return redirect(_safe_next(request, reverse("scheduling:appointment-detail", args=[pk])))


def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = access.get_appointment_for_user(request.user, pk)
    if not appointment.can_transition("cancel", by=request.user):
        messages.error(
            request,
            "This appointment can no longer be cancelled here. "
            "Please call the hospital if you need help.",
        )
        return redirect("scheduling:appointment-detail", pk=pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_transition(
                appointment=appointment,
                action="cancel",
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.NotAllowed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The appointment was cancelled and the slot released.")
        return redirect("scheduling:appointment-detail", pk=pk)
    return render(
        request, "scheduling/appointment_cancel.html", {"appointment": appointment, "form": form}
    )


# --- Lists --------------------------------------------------------------------------------


@require_safe
def my_appointments(request: HttpRequest) -> HttpResponse:
    """A patient's (or a doctor's) own appointments: upcoming first, then the past."""
    user = request.user
    appointments = Appointment.objects.with_related().with_attention()
    if user.has_perm("scheduling.book_own_appointment"):
        mine = appointments.filter(patient__user=user)
    elif user.has_perm("scheduling.manage_own_schedule"):
        mine = appointments.filter(doctor__user=user)
    else:
        raise PermissionDenied
    now = timezone.now()
    upcoming = list(mine.open().upcoming(now).order_by("start")[:100])
    past = Paginator(mine.exclude(pk__in=[a.pk for a in upcoming]).order_by("-start"), 20)
    return render(
        request,
        "scheduling/my_appointments.html",
        {
            "upcoming": [(a, _actions(a, user)) for a in upcoming],
            "past": past.get_page(request.GET.get("page")),
        },
    )


@require_safe
def doctor_day(request: HttpRequest) -> HttpResponse:
    """A doctor's schedule for one day (today by default), with the actions for each visit."""
    doctor = access.get_schedule_doctor(request.user, request.GET.get("doctor"))
    day = _parse_day(request.GET.get("date")) or timezone.localdate()
    start, end = slots.day_bounds(day)
    appointments = list(
        Appointment.objects.for_list()
        .with_attention()
        .filter(doctor=doctor, start__gte=start, start__lt=end)
        .order_by("start")
    )
    now = timezone.now()
    return render(
        request,
        "scheduling/doctor_day.html",
        {
            "doctor": doctor,
            "day": day,
            "today": timezone.localdate(),
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "rows": [_day_row(a, request.user, now) for a in appointments],
            "next_url": request.get_full_path(),
            "doctor_query": f"&doctor={doctor.pk}"
            if access.is_scheduling_staff(request.user)
            else "",
        },
    )


@require_safe
def doctor_week(request: HttpRequest) -> HttpResponse:
    doctor = access.get_schedule_doctor(request.user, request.GET.get("doctor"))
    first = _parse_day(request.GET.get("start")) or timezone.localdate()
    first -= timedelta(days=first.weekday())
    days = [first + timedelta(days=i) for i in range(7)]
    start, _ = slots.day_bounds(days[0])
    _, end = slots.day_bounds(days[-1])
    by_day: dict[date, list[Appointment]] = {d: [] for d in days}
    for appointment in (
        Appointment.objects.with_related()
        .with_attention()
        .filter(doctor=doctor, start__gte=start, start__lt=end)
        .exclude(status=Appointment.Status.CANCELLED)
        .order_by("start")
    ):
        by_day[timezone.localdate(appointment.start)].append(appointment)
    return render(
        request,
        "scheduling/doctor_week.html",
        {
            "doctor": doctor,
            "columns": list(by_day.items()),
            "today": timezone.localdate(),
            "previous": first - timedelta(days=7),
            "next": first + timedelta(days=7),
            "doctor_query": f"&doctor={doctor.pk}"
            if access.is_scheduling_staff(request.user)
            else "",
        },
    )


@require_safe
def appointment_list(request: HttpRequest) -> HttpResponse:
    """Every appointment, for hospital staff, with filters and bulk cancel."""
    if not access.is_scheduling_staff(request.user):
        raise PermissionDenied
    if not request.GET:
        # Unfiltered, the list opens on what staff need most; the filter stays in the URL so
        # that page 2 shows the same list.
        return redirect(reverse("scheduling:appointment-list") + "?when=upcoming")
    params = request.GET
    appointments = AppointmentFilter(
        params, queryset=Appointment.objects.for_list().with_attention().order_by("start")
    )
    page = Paginator(appointments.qs, 25).get_page(request.GET.get("page"))
    for a in page.object_list:  # the rows the template shows; the `date` filter cost ~40 µs each
        start = timezone.localtime(a.start)
        a.when_label = f"{start:%a} {start.day} {start:%b} {start.year}, {start:%H:%M}"
    # The doctor <select> is built here: rendered by the template engine (a widget, or even a
    # plain {% for %}), its 200 options cost 40-200 ms a page; format_html_join took ~3 ms, plain
    # f-strings with html.escape (the same five characters as Django's escape) ~1 ms.
    selected = str(params.get("doctor", ""))
    doctor_options = mark_safe(  # noqa: S308 - names escaped, pk an integer
        "".join(
            f'<option value="{pk}"{" selected" if str(pk) == selected else ""}>'
            f"Dr {html.escape(first)} {html.escape(last)}</option>"
            for pk, first, last in Doctor.objects.not_removed()
            .order_by("user__last_name", "user__first_name")
            .values_list("pk", "user__first_name", "user__last_name")
        )
    )
    return render(
        request,
        "scheduling/appointment_list.html",
        {
            "filter": appointments,
            "page": page,
            "doctor_options": doctor_options,
        },
    )


@require_POST
def appointment_bulk_cancel(request: HttpRequest) -> HttpResponse:
    if not access.is_scheduling_staff(request.user):
        raise PermissionDenied
    form = CancelForm(request.POST)
    ids = [i for i in map(int_param, request.POST.getlist("ids")) if i]
    chosen = list(Appointment.objects.with_related().filter(pk__in=ids))
    if not chosen or not form.is_valid():
        messages.error(request, "Select the appointments to cancel first.")
    else:
        done = services.appointments_cancel_many(
            appointments=chosen,
            by=request.user,
            reason=form.cleaned_data["reason"] or "Cancelled by the hospital",
        )
        messages.success(
            request,
            f"{done} appointment{'s' if done != 1 else ''} cancelled; "
            "the patients are being notified.",
        )
    return redirect(_safe_next(request, reverse("scheduling:appointment-list")))


@require_safe
def next_slot(request: HttpRequest, doctor_pk: int) -> HttpResponse:
    """The doctor's next free slot, as a small fragment for the directory (htmx)."""
    if not request.user.has_perm("clinic.view_doctor"):
        raise PermissionDenied
    doctor = access.get_bookable_doctor(doctor_pk)
    return render(
        request,
        "scheduling/_next_slot.html",
        {"doctor": doctor, "slot": slots.next_free_slot(doctor)},
    )
