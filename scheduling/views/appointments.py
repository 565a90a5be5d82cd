"""One appointment (its page, check-in and no-show, cancelling) and the lists of appointments."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import require_permission
from hms.lib.confirm import Confirmation, confirm_page
from hms.lib.paging import paginate
from hms.lib.request import parse_id, safe_next
from scheduling import access, selectors, services
from scheduling.filters import AppointmentFilter
from scheduling.forms import CancelForm
from scheduling.models import Appointment
from scheduling.tasks import ics_for

DONE = {
    "check_in": "{patient} is checked in.",
    "no_show": "{patient} is marked as not attended (no-show).",
}


@require_safe
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = access.get_appointment_for_user(request.user, pk)
    record = getattr(appointment, "visit_record", None)
    if not access.may_follow_record_link(request.user):
        record = None
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


@require_safe
def appointment_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The appointment as an .ics file, to add it to a calendar by hand (the booking e-mail
    carries the same event; a calendar subscription keeps every appointment up to date)."""
    appointment = access.get_appointment_for_user(request.user, pk)
    if not appointment.is_open:
        raise Http404
    response = HttpResponse(
        ics_for(appointment, method="PUBLISH"), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


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
    return confirm_page(request, Confirmation(
        title="Cancel appointment",
        question=f"Cancel {date_format(localtime(appointment.start), 'l j F Y, H:i')} with "
        f"{appointment.doctor.display_name} for {appointment.patient}?",
        consequences=["The time becomes free for others at once (patients on the waitlist "
                      "are offered it first)."],
        form=form, button="Cancel appointment", keep_label="Keep it",
        back=reverse("scheduling:appointment-detail", args=[pk]), back_label="Appointment",
    ))  # fmt: skip


@require_safe
def my_appointments(request: HttpRequest) -> HttpResponse:
    """A patient's (or a doctor's) own appointments: upcoming first, then the past."""
    upcoming, past = selectors.own_appointments(access.get_own_appointments(request.user))
    own_waitlist = {"entries": [], "offers": []}
    if request.user.has_perm("scheduling.book_own_appointment"):
        own_waitlist = selectors.own_waitlist(request.user)
    past_page = paginate(past, 20, request.GET.get("page"))
    past_page.object_list = list(past_page.object_list)  # read here, not while drawing the page
    return render(
        request,
        "scheduling/my_appointments.html",
        {
            "upcoming": [(a, a.actions_for(request.user)) for a in upcoming],
            "past": past_page,
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
    page = paginate(appointments.qs, 25, request.GET.get("page"))
    return render(
        request, "scheduling/appointment_list.html", {"filter": appointments, "page": page}
    )


def _bulk_confirmation(request: HttpRequest, chosen: list, form: CancelForm) -> HttpResponse:
    count, back = len(chosen), safe_next(request, reverse("scheduling:appointment-list"))
    many = "s" if count != 1 else ""
    return confirm_page(request, Confirmation(
        title="Cancel appointments",
        question=f"Cancel {count} appointment{many} and notify the patient{many}?",
        consequences=[
            f"The patient{many} {'are' if many else 'is'} e-mailed the cancellation.",
            f"The time{many} become{'' if many else 's'} free for others at once. "
            "This cannot be undone.",
        ],
        items=[f"{date_format(localtime(a.start), 'D j M Y, H:i')} · {a.patient} with "
               f"{a.doctor.display_name}"
               for a in chosen],
        hidden={"ids": [str(a.pk) for a in chosen], "next": [back]},
        form=form, button=f"Cancel {count} appointment{many}", back=back,
        back_label="Appointments", keep_label=f"Keep {'them' if many else 'it'}",
    ))  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
@require_permission("scheduling.manage_all_appointments")
def appointment_bulk_cancel(request: HttpRequest) -> HttpResponse:
    """GET (the list's selection): ask, with a reason to give; POST: cancel and notify."""
    data = request.POST if request.method == "POST" else request.GET
    ids = [i for i in map(parse_id, data.getlist("ids")) if i]
    chosen = list(Appointment.objects.with_related().open().filter(pk__in=ids).order_by("start"))
    if not chosen:
        messages.error(request, "Select the appointments to cancel first.")
        return redirect(safe_next(request, reverse("scheduling:appointment-list")))
    form = CancelForm(request.POST or None, placeholder="e.g. Doctor unavailable")
    if request.method != "POST" or not form.is_valid():
        return _bulk_confirmation(request, chosen, form)
    done = services.appointments_cancel_many(
        appointments=chosen,
        by=request.user,
        reason=form.cleaned_data["reason"] or "Cancelled by the hospital",
    )
    messages.success(
        request,
        f"{done} appointment{'s' if done != 1 else ''} cancelled; the patients are being notified.",
    )
    return redirect(safe_next(request, reverse("scheduling:appointment-list")))
