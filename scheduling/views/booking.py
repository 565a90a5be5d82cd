"""Booking and moving an appointment: the slot picker."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import require_permission
from hms.lib import cached
from hms.lib.request import parse_day, parse_id
from scheduling import access, selectors, services, slots
from scheduling.forms import SlotForm
from scheduling.models import Appointment


def _render_picker(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """htmx date switches get the picker alone; everything else the whole page."""
    if request.headers.get("HX-Request") and request.method == "GET":
        return render(request, "scheduling/partials/slot_picker.html", context)
    return render(request, template, context)


def _refused(doctor, day, form: SlotForm, error: str) -> SlotForm:
    """The picker's form drawn again with the day's real slots and the refusal."""
    if any(s.start == form.cleaned_data.get("slot") for s in selectors.day_slots(doctor, day)):
        # The cache offered the refused slot: what pickers show is stale.
        cached.invalidate(slots.doctor_family(doctor.pk), now=True)
    redrawn = SlotForm(form.data, offered=selectors.day_slots(doctor, day))
    redrawn.is_valid()
    if error:
        redrawn.add_error("slot", error)
    return redrawn


def book(request: HttpRequest, doctor_pk: int) -> HttpResponse:
    """Patient (or staff for a patient, ?for=<id>) picks a date and a free slot, then confirms.

    The service checks the slot against the database in its transaction, so a POST is checked
    against the claimed slot only; the day's slots are computed again only to redraw the page."""
    for_patient = request.GET.get("for") or request.POST.get("for")
    patient = access.get_booking_patient(request.user, for_patient)
    doctor = access.get_bookable_doctor(doctor_pk)
    form, day = None, parse_day(request.GET.get("date") or request.POST.get("date"))
    if request.method == "POST":
        start = slots.parse_slot_key(request.POST.get("slot", ""))
        day = timezone.localdate(start) if start else day
        claimed = (
            [slots.Slot(start, start + timedelta(minutes=doctor.slot_minutes))] if start else []
        )
        form = SlotForm(request.POST, offered=claimed)
        error = ""
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
                error = str(exc)
            else:
                return _booked(request, appointment)
        form = _refused(doctor, day, form, error)
    context = selectors.slot_picker(doctor, day)
    if form is None or not form.fields["slot"].choices:
        form = SlotForm(request.POST or None, offered=context["offered"])
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
    day = parse_day(request.GET.get("date") or request.POST.get("date"))
    context = selectors.slot_picker(doctor, day)
    form = SlotForm(request.POST or None, offered=context["offered"], with_reason=False)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.appointment_reschedule(
                appointment=appointment, start=form.cleaned_data["slot"], by=request.user,
                doctor=doctor,
            )  # fmt: skip
        except services.SchedulingError as exc:
            cached.invalidate(slots.doctor_family(doctor.pk), now=True)
            context = selectors.slot_picker(doctor, day)
            form = SlotForm(request.POST, offered=context["offered"], with_reason=False)
            form.is_valid()
            form.add_error("slot", str(exc))
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
