"""The waitlist: joining and leaving it, answering an offer, and the staff overview."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.access import require_permission
from hms.lib.request import parse_id
from scheduling import access, selectors, services, slots
from scheduling.forms import WaitlistJoinForm


def _initial(request: HttpRequest) -> dict:
    """The form's first values: the doctor asked for (?doctor=), the booking horizon."""
    today = timezone.localdate()
    _, last_day = slots.booking_window()
    initial = {"first_day": today, "last_day": last_day, "time_of_day": "any"}
    doctor_id = parse_id(request.GET.get("doctor", ""))
    if doctor_id:
        initial["doctor"] = doctor_id
    return initial


def _joined(request: HttpRequest, entry, patient, for_patient) -> HttpResponse:
    who = f"{patient} is" if for_patient else "You are"
    messages.success(
        request,
        f"{who} on the waitlist for {entry.wanted}. We will e-mail an offer when a time frees up.",
    )
    return redirect("scheduling:waitlist" if for_patient else "scheduling:my-appointments")


def waitlist_join(request: HttpRequest) -> HttpResponse:
    """A patient joins the waitlist; staff put a patient on it (?for=<patient id>)."""
    for_patient = request.GET.get("for")
    patient = access.get_booking_patient(request.user, for_patient)
    form = WaitlistJoinForm(request.POST or None, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.waitlist_join(patient=patient, by=request.user, **form.cleaned_data)
        except services.SchedulingError as exc:
            form.add_error(None, str(exc))
        else:
            return _joined(request, entry, patient, for_patient)
    return render(
        request,
        "scheduling/waitlist_join.html",
        {
            "form": form,
            "subtitle": f"For {patient}" if for_patient else "",
            "hold_minutes": settings.WAITLIST_HOLD_MINUTES,
            "back_url": reverse(
                "scheduling:waitlist" if for_patient else "scheduling:my-appointments"
            ),
            "back_label": "Waitlist" if for_patient else "My appointments",
        },
    )


@require_POST
def waitlist_leave(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.get_waitlist_entry_for_user(request.user, pk)
    services.waitlist_leave(entry=entry)
    messages.success(request, f"Taken off the waitlist for {entry.wanted}.")
    if entry.patient.user_id == request.user.pk:
        return redirect("scheduling:my-appointments")
    return redirect("scheduling:waitlist")


@require_safe
def waitlist_offer(request: HttpRequest, token: str) -> HttpResponse:
    """The page the offer's e-mail links to: the time, and accept or decline while it is held."""
    offer = access.get_offer_for_user(request.user, token)
    return render(request, "scheduling/waitlist_offer.html", {"offer": offer})


@require_POST
def waitlist_offer_answer(request: HttpRequest, token: str, action: str) -> HttpResponse:
    if action not in ("accept", "decline"):
        raise Http404
    offer = access.get_offer_for_user(request.user, token)
    try:
        if action == "decline":
            services.waitlist_offer_decline(offer=offer)
        else:
            appointment = services.waitlist_offer_accept(offer=offer, by=request.user)
    except services.SchedulingError as exc:
        messages.error(request, str(exc))
        return redirect("scheduling:waitlist-offer", token=token)
    if action == "decline":
        messages.success(request, "Declined: the time goes to the next patient waiting.")
        return redirect("scheduling:my-appointments")
    messages.success(request, "Booked: the appointment is yours. A confirmation is on its way.")
    return redirect(reverse("scheduling:appointment-detail", args=[appointment.pk]))


@require_safe
@require_permission("scheduling.manage_all_appointments")
def waitlist(request: HttpRequest) -> HttpResponse:
    """For staff: who is waiting, in line order, and the latest offers and their outcomes."""
    return render(request, "scheduling/waitlist.html", selectors.waitlist_overview())
