"""Scheduling's answers to clinic's signals (clinic cannot import scheduling)."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from clinic.signals import doctor_pending_work
from hms.lib.confirm import Line
from scheduling.models import Appointment


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
