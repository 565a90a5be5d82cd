"""The waitlist under concurrency: real threads, each with its own database connection, on
PostgreSQL and SQLite alike.

- 20 simultaneous "Accept" requests for one offer book exactly one appointment.
- 20 workers offering the same freed slot at once make exactly one offer (and one e-mail).
- Two cancellations at once make two offers, to two patients, never two offers of one slot.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.tests.factories import PatientFactory
from hms.lib.outbox.models import Message
from scheduling import services
from scheduling.models import Appointment, WaitlistEntry, WaitlistOffer
from scheduling.tests.conftest import next_weekday_slot
from scheduling.tests.test_concurrency import RACERS, _open_doctor, _race

pytestmark = pytest.mark.django_db(transaction=True)


def _waiting(doctor, count=1) -> list[WaitlistEntry]:
    entries = []
    for _ in range(count):
        user = PatientFactory().user
        entries.append(
            services.waitlist_join(
                patient=user.patient_profile,
                by=user,
                doctor=doctor,
                first_day=timezone.localdate(),
                last_day=timezone.localdate() + timedelta(days=7),
            )
        )
    return entries


def test_twenty_accepts_of_one_offer_book_exactly_one_appointment(db):
    doctor = _open_doctor()
    (entry,) = _waiting(doctor)
    start = next_weekday_slot(10)
    offer = services.offer_freed_time(
        doctor_id=doctor.pk, start=start, end=start + timedelta(minutes=30)
    )[0]
    url = reverse("scheduling:waitlist-offer-answer", args=[offer.token, "accept"])
    clients = [Client() for _ in range(RACERS)]
    for client in clients:
        client.force_login(entry.patient.user)

    responses = _race([lambda c=c: c.post(url) for c in clients])

    assert all(getattr(r, "status_code", r) == 302 for r in responses), responses
    booked = Appointment.objects.occupying().filter(doctor=doctor)
    assert booked.count() == 1
    winners = [r for r in responses if r.url.startswith("/scheduling/appointments/")]
    assert len(winners) == 1
    offer.refresh_from_db()
    assert (offer.status, offer.appointment) == ("accepted", booked.get())


def test_twenty_workers_offering_one_freed_slot_make_one_offer(db):
    doctor = _open_doctor()
    _waiting(doctor, count=3)
    start = next_weekday_slot(10)

    results = _race(
        [
            lambda: services.offer_freed_time(
                doctor_id=doctor.pk, start=start, end=start + timedelta(minutes=30)
            )
            for _ in range(RACERS)
        ]
    )

    assert all(isinstance(r, list) for r in results), results
    offers = WaitlistOffer.objects.filter(doctor=doctor, start=start)
    assert offers.count() == 1
    assert Message.objects.filter(handler="scheduling.waitlist_offer_email").count() == 1


def test_two_cancellations_at_once_make_two_offers_of_two_slots(db):
    doctor = _open_doctor()
    booker = PatientFactory().user
    appointments = [
        services.appointment_book(
            patient=booker.patient_profile, doctor=doctor, start=next_weekday_slot(h), by=booker
        )
        for h in (10, 11)
    ]
    entries = _waiting(doctor, count=3)

    _race(
        [
            lambda a=a: services.appointment_transition(appointment=a, action="cancel", by=booker)
            for a in appointments
        ]
    )

    offers = list(WaitlistOffer.objects.filter(status="offered").order_by("start"))
    assert [o.start for o in offers] == [next_weekday_slot(10), next_weekday_slot(11)]
    assert {o.entry_id for o in offers} == {entries[0].pk, entries[1].pk}
