"""E-mails about appointments, sent by the worker after the booking transaction committed."""

from __future__ import annotations

from datetime import UTC

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from scheduling.models import Appointment

SUBJECTS = {
    "booked": "Appointment confirmed",
    "rescheduled": "Appointment moved",
    "cancelled": "Appointment cancelled",
}


def ics_for(appointment: Appointment, *, method: str) -> str:
    """An iCalendar event (RFC 5545) so the patient can add or remove it in their calendar."""

    def stamp(value) -> str:
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    status = "CANCELLED" if method == "CANCEL" else "CONFIRMED"
    summary = f"Appointment with {appointment.doctor.display_name}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//HMS//Appointments//EN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:appointment-{appointment.pk}@hms",
        f"DTSTAMP:{stamp(timezone.now())}",
        f"DTSTART:{stamp(appointment.start)}",
        f"DTEND:{stamp(appointment.end)}",
        f"SUMMARY:{summary}",
        f"LOCATION:{settings.HOSPITAL_NAME}, {settings.HOSPITAL_ADDRESS}".replace(",", "\\,"),
        f"STATUS:{status}",
        f"SEQUENCE:{int(appointment.updated.timestamp())}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


def _send(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict,
    ics: str | None,
    old_ics: str | None = None,
) -> None:
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=render_to_string(f"emails/scheduling/{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(
        render_to_string(f"emails/scheduling/{template}.html", context), "text/html"
    )
    if ics:
        message.attach("appointment.ics", ics, "text/calendar")
    if old_ics:
        message.attach("previous-appointment.ics", old_ics, "text/calendar")
    message.send()


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_appointment_email(kind: str, appointment_id: int) -> None:
    appointment = Appointment.objects.with_actors().get(pk=appointment_id)
    context = {
        "appointment": appointment,
        "kind": kind,
        "local_start": timezone.localtime(appointment.start),
        "hospital_name": settings.HOSPITAL_NAME,
        "hospital_address": settings.HOSPITAL_ADDRESS,
        "hospital_phone": settings.HOSPITAL_PHONE,
        "site": settings.HMS_BASE_URL,
    }
    method = "CANCEL" if kind == "cancelled" else "REQUEST"
    _send(
        to=appointment.patient.user.email,
        subject=SUBJECTS[kind],
        template="patient",
        context=context,
        ics=ics_for(appointment, method=method),
        # A moved appointment also removes the old entry from the patient's calendar.
        old_ics=ics_for(appointment.rescheduled_from, method="CANCEL")
        if kind == "rescheduled" and appointment.rescheduled_from_id
        else None,
    )
    actor = appointment.cancelled_by if kind == "cancelled" else appointment.booked_by
    if (
        kind in ("cancelled", "rescheduled")
        and actor is not None
        and (actor.pk == appointment.patient.user_id)
    ):
        _send(
            to=appointment.doctor.user.email,
            subject=f"Patient {SUBJECTS[kind].lower()}",
            template="doctor",
            context=context,
            ics=None,
        )
