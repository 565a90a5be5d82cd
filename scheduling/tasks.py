"""E-mails about appointments and the waitlist's offers (outbox handlers, run by a worker after
the change committed), the no-show job and the job that expires waitlist holds (celery beat)."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from hms.lib import emails, outbox
from scheduling import services
from scheduling.models import Appointment, WaitlistOffer

SUBJECTS = {
    "booked": "Appointment confirmed",
    "rescheduled": "Appointment moved",
    "cancelled": "Appointment cancelled",
}


def ics_for(appointment: Appointment, *, method: str) -> str:
    """An iCalendar event (RFC 5545) so the patient can add or remove it in their calendar."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//HMS//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = icalendar.Event()
    event.add("uid", f"appointment-{appointment.pk}@hms")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", appointment.start.astimezone(UTC))
    event.add("dtend", appointment.end.astimezone(UTC))
    event.add("summary", f"Appointment with {appointment.doctor.display_name}")
    event.add("location", f"{settings.HOSPITAL_NAME}, {settings.HOSPITAL_ADDRESS}")
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("sequence", int(appointment.updated.timestamp()))
    calendar.add_component(event)
    return calendar.to_ical().decode()


def _context(kind: str, appointment: Appointment) -> dict:
    return {
        "appointment": appointment,
        "kind": kind,
        "local_start": timezone.localtime(appointment.start),
    }


@outbox.handler("scheduling.patient_email")
def send_patient_email(kind: str, appointment_id: int) -> None:
    """Confirmation, move or cancellation, with an .ics (a move also cancels the old entry)."""
    appointment = Appointment.objects.with_actors().get(pk=appointment_id)
    if not appointment.patient.user.email:
        return
    method = "CANCEL" if kind == "cancelled" else "REQUEST"
    attachments = [("appointment.ics", ics_for(appointment, method=method), "text/calendar")]
    if kind == "rescheduled" and appointment.rescheduled_from_id:
        old = ics_for(appointment.rescheduled_from, method="CANCEL")
        attachments.append(("previous-appointment.ics", old, "text/calendar"))
    emails.send(
        "scheduling/patient",
        to=appointment.patient.user.email,
        subject=SUBJECTS[kind],
        context=_context(kind, appointment),
        attachments=attachments,
    )


@outbox.handler("scheduling.doctor_notice")
def send_doctor_notice(kind: str, appointment_id: int) -> None:
    """Tell the doctor that the patient cancelled or moved their appointment."""
    appointment = Appointment.objects.with_actors().get(pk=appointment_id)
    emails.send(
        "scheduling/doctor",
        to=appointment.doctor.user.email,
        subject=f"Patient {SUBJECTS[kind].lower()}",
        context=_context(kind, appointment),
    )


@shared_task
def mark_no_shows() -> int:
    """Every 5 minutes (beat): appointments not checked in NO_SHOW_AFTER_MINUTES after their
    start become no-shows. Does nothing while the setting is 0."""
    from scheduling import services

    return services.appointments_mark_no_shows()


@outbox.handler("scheduling.waitlist_offer")
def offer_freed_time(doctor_id: int, start: str, end: str) -> None:
    """Offer the freed time to the first matching patients on the waitlist."""
    services.offer_freed_time(
        doctor_id=doctor_id, start=datetime.fromisoformat(start), end=datetime.fromisoformat(end)
    )


@outbox.handler("scheduling.waitlist_offer_email")
def send_waitlist_offer(offer_id: int) -> None:
    """The e-mail of an offer: the time, how long it is held, and the link to answer it."""
    offer = WaitlistOffer.objects.with_related().get(pk=offer_id)
    if not offer.entry.patient.user.email:
        return  # no address on file: the banner and the staff waitlist page show the offer
    emails.send(
        "scheduling/waitlist_offer",
        to=offer.entry.patient.user.email,
        subject="An earlier appointment is free for you",
        context={
            "offer": offer,
            "local_start": timezone.localtime(offer.start),
            "local_expiry": timezone.localtime(offer.expires_at),
            "url": settings.HMS_BASE_URL + reverse("scheduling:waitlist-offer", args=[offer.token]),
        },
    )


@shared_task
def expire_waitlist_holds() -> int:
    """Every minute (celery beat): offers not answered in time pass to the next in line."""
    return services.waitlist_expire_holds()
