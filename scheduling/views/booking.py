"""Booking and moving an appointment: the slot picker."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from accounts.access import require_permission
from hms.lib import cached
from hms.lib.request import parse_day, parse_id
from scheduling import access, selectors, services, slots
from scheduling.forms import SlotForm
from scheduling.models import Appointment


def _render_picker(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """htmx date switches get the day's dates and times alone (the fields typed around them stay
    in the page); everything else, htmx history restores included, the whole page."""
    day_only = (
        request.headers.get("HX-Request")
        and request.method == "GET"
        and not request.headers.get("HX-History-Restore-Request")
    )
    # Without JavaScript a date switch draws the page again: focus starts on the day's times.
    context["focus_slots"] = "show_date" in request.POST
    if day_only:
        response = render(request, "scheduling/partials/slot_day.html", context)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _shown_day(request: HttpRequest) -> date | None:
    """The day to show: the one switched to (?date=, or show_date from the form's date buttons
    without JavaScript), else the day the form was on."""
    wanted = request.POST.get("show_date") or request.GET.get("date") or request.POST.get("date")
    return parse_day(wanted)


def _is_submit(request: HttpRequest) -> bool:
    """A POST that books or moves; a date button (show_date) only switches the day."""
    return request.method == "POST" and "show_date" not in request.POST


def _picker_form(request: HttpRequest, offered: list[slots.Slot], **kwargs) -> SlotForm:
    if "show_date" in request.POST:
        # A date switch without JavaScript: what was typed comes back, with no errors yet.
        initial = {"reason": request.POST.get("reason", "")}
        return SlotForm(initial=initial, offered=offered, **kwargs)
    return SlotForm(request.POST or None, offered=offered, **kwargs)


def _forget_stale_slots(doctor, day, start) -> None:
    if start and any(s.start == start for s in selectors.day_slots(doctor, day)):
        # The cache offered the refused slot: what pickers show is stale.
        cached.invalidate(slots.doctor_family(doctor.pk), now=True)


def _refusal_text(exc: services.SchedulingError, *, user, patient, doctor, start) -> str:
    """One sentence saying why a booking or move was refused, to the person who tried."""
    holder = selectors.slot_holder(doctor, start)
    if isinstance(exc, services.PatientBusy) or (holder is not None and holder == patient.pk):
        who = "You already have" if patient.user_id == user.pk else f"{patient} already has"
        return f"{who} an appointment at this time — please pick another."
    if holder is not None:
        return (
            f"Sorry, {timezone.localtime(start):%H:%M} was just taken — please pick another time."
        )
    if isinstance(exc, services.SlotUnavailable):
        return SlotForm.GONE
    return str(exc)


def _redrawn(form: SlotForm, refusal: str = "", question: str = "") -> SlotForm:
    """A posted form drawn again with its own errors, or with the refusal alone (the refused time
    is usually gone from the list too: one message, not two), or with the same-day question."""
    form.is_valid()
    if refusal:
        form.errors.pop("slot", None)
        form.add_error("slot", refusal)
    form.same_day_question = question
    return form


def _same_day_question(user, patient, doctor, form: SlotForm) -> str:
    """Whether to book another visit with the same doctor that day, unless confirmed."""
    if form.cleaned_data["confirm_same_day"]:
        return ""
    others = selectors.same_doctor_same_day(
        patient=patient, doctor=doctor, start=form.cleaned_data["slot"]
    )
    if not others:
        return ""
    times = [f"{timezone.localtime(a.start):%H:%M}" for a in others]
    at = " and ".join([", ".join(times[:-1]), times[-1]] if len(times) > 1 else times)
    who = "You already have" if patient.user_id == user.pk else f"{patient} already has"
    return f"{who} an appointment with {doctor.display_name} at {at} on that day. Book another?"


def _try_booking(request: HttpRequest, patient, doctor, day) -> HttpResponse | tuple:
    """Book the slot posted: the redirect to the new appointment, or (day, refusal, question)
    to draw the picker again."""
    start = slots.parse_slot_key(request.POST.get("slot", ""))
    day = timezone.localdate(start) if start else day
    claimed = [slots.Slot(start, start + timedelta(minutes=doctor.slot_minutes))] if start else []
    form = SlotForm(request.POST, offered=claimed)
    if not form.is_valid():
        return day, "", ""
    if question := _same_day_question(request.user, patient, doctor, form):
        return day, "", question
    try:
        appointment = services.appointment_book(
            patient=patient,
            doctor=doctor,
            start=start,
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except services.SchedulingError as exc:
        _forget_stale_slots(doctor, day, start)
        user = request.user
        return day, _refusal_text(exc, user=user, patient=patient, doctor=doctor, start=start), ""
    return _booked(request, appointment)


def book(request: HttpRequest, doctor_pk: int) -> HttpResponse:
    """Patient (or staff for a patient, ?for=<id>) picks a date and a free slot, then confirms.

    The service checks the slot against the database in its transaction, so a POST is checked
    against the claimed slot only; the day's slots are computed again only to redraw the page."""
    for_patient = request.GET.get("for") or request.POST.get("for")
    patient = access.get_booking_patient(request.user, for_patient)
    doctor = access.get_bookable_doctor(doctor_pk)
    day, refusal, question = _shown_day(request), "", ""
    if _is_submit(request):
        outcome = _try_booking(request, patient, doctor, day)
        if isinstance(outcome, HttpResponse):
            return outcome
        day, refusal, question = outcome
    context = selectors.slot_picker(doctor, day)
    form = _picker_form(request, context["offered"])
    if _is_submit(request):
        form = _redrawn(form, refusal, question)
    context.update(
        form=form,
        patient=patient,
        for_patient=for_patient,
        extra_query=f"&for={patient.pk}" if for_patient else "",
        action_url=reverse("scheduling:book", args=[doctor.pk]),
    )
    return _render_picker(request, "scheduling/book.html", context)


def _booked(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    when = timezone.localtime(appointment.start)
    messages.success(
        request,
        f"Booked: {appointment.doctor.display_name}, {when:%A %d %B at %H:%M}. "
        "A confirmation e-mail is on its way.",
    )
    return redirect("scheduling:appointment-detail", pk=appointment.pk)


def _move_refused(request, exc, appointment, doctor, day, form: SlotForm) -> tuple[dict, SlotForm]:
    """The picker drawn again after a refused move: the day's real slots and one message."""
    start = form.cleaned_data["slot"]
    _forget_stale_slots(doctor, day, start)
    refusal = _refusal_text(
        exc, user=request.user, patient=appointment.patient, doctor=doctor, start=start
    )
    context = selectors.slot_picker(doctor, day)
    form = SlotForm(request.POST, offered=context["offered"], with_reason=False)
    return context, _redrawn(form, refusal)


def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """A new time with the same doctor; staff may also pick another doctor of the department
    (?doctor=<id>), e.g. to move the patients of a blocked doctor."""
    appointment = access.get_appointment_for_user(request.user, pk)
    if not appointment.can_transition("reschedule", by=request.user):
        messages.error(request, "This appointment can no longer be rescheduled.")
        return redirect("scheduling:appointment-detail", pk=pk)
    doctor = access.get_rescheduling_doctor(
        request.user, appointment, parse_id(request.GET.get("doctor") or request.POST.get("doctor"))
    )
    day = _shown_day(request)
    context = selectors.slot_picker(doctor, day)
    form = _picker_form(request, context["offered"], with_reason=False)
    if _is_submit(request) and form.is_valid():
        try:
            new = services.appointment_reschedule(
                appointment=appointment, start=form.cleaned_data["slot"], by=request.user,
                doctor=doctor,
            )  # fmt: skip
        except services.SchedulingError as exc:
            context, form = _move_refused(request, exc, appointment, doctor, day, form)
        else:
            messages.success(
                request, f"Moved to {timezone.localtime(new.start):%A %d %B at %H:%M}."
            )
            return redirect("scheduling:appointment-detail", pk=new.pk)
    other_doctor = doctor.pk != appointment.doctor_id
    context.update(
        form=form,
        appointment=appointment,
        patient=appointment.patient,
        alternatives=access.rescheduling_doctors(request.user, appointment),
        doctor_field=doctor.pk if other_doctor else "",
        extra_query=f"&doctor={doctor.pk}" if other_doctor else "",
        action_url=reverse("scheduling:reschedule", args=[pk]),
        # The patient moves "my appointment"; staff and doctors move the patient's.
        submit_label="Move my appointment"
        if appointment.patient.user_id == request.user.pk
        else "Move appointment",
    )
    return _render_picker(request, "scheduling/reschedule.html", context)


@require_safe
@require_permission("clinic.view_doctor")
def next_slot(request: HttpRequest, doctor_pk: int) -> HttpResponse:
    """The doctor's next free slot, as a small fragment for the directory (htmx)."""
    doctor = access.get_bookable_doctor(doctor_pk)
    return render(
        request,
        "scheduling/partials/next_slot.html",
        {"doctor": doctor, "slot": slots.next_free_slot(doctor)},
    )
