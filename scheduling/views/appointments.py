"""One appointment (its page, check-in and no-show, cancelling) and the lists of appointments."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.access import require_permission
from hms.lib.request import parse_id, safe_next
from scheduling import access, selectors, services
from scheduling.filters import AppointmentFilter
from scheduling.forms import CancelForm
from scheduling.models import Appointment

DONE = {
    "check_in": "{patient} is checked in.",
    "no_show": "{patient} is marked as not attended (no-show).",
}


@require_safe
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = access.get_appointment_for_user(request.user, pk)
    record = getattr(appointment, "visit_record", None)
    return render(
        request,
        "scheduling/appointment_detail.html",
        {
            "appointment": appointment,
            "actions": appointment.actions_for(request.user),
            "events": selectors.history_for(request.user, appointment),
            # The visit record lives in the records app (above this one): linked by URL name.
            "record_url": reverse("records:record-detail", args=[record.pk]) if record else "",
            "attention_detail": selectors.attention_detail(appointment),
        },
    )


@require_POST
def appointment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """check_in or no_show. Cancel has its own page (it asks for a reason) and completing a
    visit happens only by writing its record (records:complete-visit)."""
    if action not in DONE:
        raise Http404
    appointment = access.get_appointment_for_user(request.user, pk)
    try:
        services.appointment_transition(appointment=appointment, action=action, by=request.user)
    except services.NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, DONE[action].format(patient=appointment.patient))
    return redirect(safe_next(request, reverse("scheduling:appointment-detail", args=[pk])))


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


@require_safe
def my_appointments(request: HttpRequest) -> HttpResponse:
    """A patient's (or a doctor's) own appointments: upcoming first, then the past."""
    upcoming, past = selectors.own_appointments(access.get_own_appointments(request.user))
    own_waitlist = {"entries": [], "offers": []}
    if request.user.has_perm("scheduling.book_own_appointment"):
        own_waitlist = selectors.own_waitlist(request.user)
    return render(
        request,
        "scheduling/my_appointments.html",
        {
            "upcoming": [(a, a.actions_for(request.user)) for a in upcoming],
            "past": Paginator(past, 20).get_page(request.GET.get("page")),
            "waitlist": own_waitlist,
        },
    )


@require_safe
@require_permission("scheduling.manage_all_appointments")
def appointment_list(request: HttpRequest) -> HttpResponse:
    """Every appointment, for hospital staff, with filters and bulk cancel."""
    if not request.GET:
        # Unfiltered, the list opens on what staff need most; the filter stays in the URL so
        # that page 2 shows the same list.
        return redirect(reverse("scheduling:appointment-list") + "?when=upcoming")
    appointments = AppointmentFilter(
        request.GET,
        queryset=Appointment.objects.for_list().with_attention().with_successor().order_by("start"),
    )
    page = Paginator(appointments.qs, 25).get_page(request.GET.get("page"))
    return render(
        request, "scheduling/appointment_list.html", {"filter": appointments, "page": page}
    )


@require_POST
@require_permission("scheduling.manage_all_appointments")
def appointment_bulk_cancel(request: HttpRequest) -> HttpResponse:
    form = CancelForm(request.POST)
    ids = [i for i in map(parse_id, request.POST.getlist("ids")) if i]
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
    return redirect(safe_next(request, reverse("scheduling:appointment-list")))
