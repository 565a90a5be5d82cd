"""Today's queue for the front desk: every doctor's appointments of the day, with check-in,
no-show, cancel and booking a doctor's next free slot."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import require_permission
from clinic.models import Doctor
from hms.lib import cached
from scheduling import access, selectors, services, slots
from scheduling.filters import QueueFilter
from scheduling.forms import QueueBookingForm


@require_safe
@require_permission("scheduling.manage_all_appointments")
def queue(request: HttpRequest) -> HttpResponse:
    """The page, or (htmx polling) its body alone: the queue stays current without a reload."""
    found = QueueFilter(request.GET, queryset=selectors.queue_appointments(timezone.localdate()))
    context = selectors.queue(found.qs, user=request.user)
    context.update(filter=found, here=request.get_full_path())
    if request.headers.get("HX-Request"):
        return render(request, "scheduling/partials/queue_body.html", context)
    return render(request, "scheduling/queue.html", context)


@require_safe
@require_permission("scheduling.manage_all_appointments")
def queue_book_first(request: HttpRequest) -> HttpResponse:
    """ "Next free slot today" for the queue's filter: the chosen doctor, or the doctor of the
    chosen department (or of the hospital) whose next free time today comes first."""
    found = QueueFilter(request.GET, queryset=selectors.queue_appointments(timezone.localdate()))
    chosen = found.form.cleaned_data if found.is_valid() else {}
    doctors = Doctor.objects.bookable().with_related()
    if chosen.get("doctor"):
        doctors = doctors.filter(pk=chosen["doctor"])
    elif chosen.get("department"):
        doctors = doctors.filter(department_id=chosen["department"])
    first = min(
        ((slot.start, doctor.pk) for doctor in doctors if (slot := _next_free_today(doctor))),
        default=None,
    )
    if first is None:
        messages.info(request, "No doctor of this choice has free time left today.")
        return redirect(reverse("scheduling:queue") + "?" + request.GET.urlencode())
    return redirect("scheduling:queue-book", doctor_pk=first[1])


def _next_free_today(doctor) -> slots.Slot | None:
    free = selectors.day_slots(doctor, timezone.localdate())
    return free[0] if free else None


@require_permission("scheduling.manage_all_appointments")
def queue_book(request: HttpRequest, doctor_pk: int) -> HttpResponse:
    """Book the doctor's next free slot today for a patient, after the front desk confirmed
    that time (the slot shown is the one booked; if it was taken meanwhile, the next is shown)."""
    doctor = access.get_bookable_doctor(doctor_pk)
    slot = _next_free_today(doctor)
    form = QueueBookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        start = slots.parse_slot_key(request.POST.get("slot", ""))
        try:
            if start is None:
                raise services.SlotUnavailable("Please confirm the time shown.")
            appointment = services.appointment_book(
                patient=form.patient, doctor=doctor, start=start,
                reason=form.cleaned_data["reason"], by=request.user,
            )  # fmt: skip
        except (services.PatientBusy, services.NotAllowed) as exc:
            form.add_error("patient", str(exc))
        except services.SchedulingError:
            cached.invalidate(slots.doctor_family(doctor.pk), now=True)
            slot = _next_free_today(doctor)
            form.add_error(None, "That time was just taken. Here is the next free one: confirm it.")
        else:
            when = timezone.localtime(appointment.start)
            messages.success(
                request,
                f"Booked: {appointment.patient} with {doctor.display_name} at {when:%H:%M}.",
            )
            return redirect(reverse("scheduling:queue") + f"?doctor={doctor.pk}")
    context = {"doctor": doctor, "slot": slot, "form": form}
    return render(request, "scheduling/queue_book.html", context)
