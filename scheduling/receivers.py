"""Scheduling's answers to clinic's signals (clinic cannot import scheduling)."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from clinic.signals import doctor_pending_work
from scheduling.models import Appointment


@receiver(doctor_pending_work, dispatch_uid="scheduling-future-appointments")
def future_appointments(sender, doctor, **kwargs) -> list[str]:
    count = Appointment.objects.open().filter(doctor=doctor, start__gte=timezone.now()).count()
    if not count:
        return []
    url = reverse("scheduling:appointment-list") + f"?doctor={doctor.pk}&when=upcoming"
    return [
        f"{count} future appointment{'s' if count != 1 else ''}: they stay booked until you "
        f"cancel them (patients are notified) or move them to a colleague (Reschedule) from "
        f"the appointment list ({url})."
    ]
