"""Scheduling's answers to clinic's signals (clinic cannot import scheduling)."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from clinic.signals import doctor_deactivated, doctor_pending_work
from hms.lib.confirm import Line
from scheduling.models import Appointment, CalendarFeed
from scheduling.services.feeds import calendar_feed_revoke


@receiver(doctor_pending_work, dispatch_uid="scheduling-future-appointments")
def future_appointments(sender, doctor, **kwargs) -> list[Line]:
    count = Appointment.objects.open().filter(doctor=doctor, start__gte=timezone.now()).count()
    if not count:
        return []
    url = reverse("scheduling:appointment-list") + f"?doctor={doctor.pk}&when=upcoming"
    one = count == 1
    text = (
        f"{count} future appointment{'' if one else 's'}: {'it stays' if one else 'they stay'} "
        f"booked until you cancel {'it (the patient is' if one else 'them (patients are'} "
        f"notified) or move {'it' if one else 'them'} to a colleague (Reschedule) from"
    )
    return [Line(text, url=url, link_text="the appointment list of this doctor")]


@receiver(doctor_pending_work, dispatch_uid="scheduling-calendar-feed-pending")
def calendar_feed_pending(sender, doctor, **kwargs) -> list[str]:
    if not CalendarFeed.objects.filter(owner=doctor.user_id).exclude(token_digest="").exists():
        return []
    return ["Their calendar subscription is turned off: its address stops working."]


@receiver(doctor_deactivated, dispatch_uid="scheduling-calendar-feed-off")
def calendar_feed_off(sender, doctor, **kwargs) -> None:
    """A blocked or removed doctor's calendar feed is turned off (in the same transaction);
    unblocked, they make a new address."""
    calendar_feed_revoke(owner=doctor.user)
