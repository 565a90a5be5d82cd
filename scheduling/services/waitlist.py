"""The waitlist: joining and leaving it, offering freed time, accepting, declining, expiring.

A freed slot (a cancellation, a move, leave removed, hours or a slot added) is offered by a
worker after commit (`offer_freed_time`, an outbox handler) to the first matching entry in line:
the offer row holds the slot (the slot engine keeps it from everyone else) and its e-mail's
outbox row are written in one transaction, so a worker killed mid-offer cannot send two. The
database allows one live hold per doctor and start, and one live offer per entry. An offer that
is declined, expires (`waitlist_expire_holds`, a beat job) or goes void frees the slot again: it
goes to the next in line, and when nobody is left, back to everyone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from clinic.models import Department, Doctor, Patient
from hms.lib import outbox
from scheduling import slots
from scheduling.models import Appointment, WaitlistEntry, WaitlistOffer
from scheduling.services.appointments import (
    PatientBusy,
    SchedulingError,
    _with_retries,
    appointment_book,
    slots_changed,
    time_freed,
)


class OfferGone(SchedulingError):
    """The offer cannot be accepted or declined any more."""


class OfferExpired(OfferGone):
    pass


OFFER_TAKEN = "You have already answered this offer."
OFFER_GONE = "This offer is no longer available: the time went to the next patient waiting."
OFFER_EXPIRED = "This offer expired at {at:%H:%M}: the time went to the next patient waiting."
OFFER_BUSY = (
    "You already have an appointment at this time, so the offer was passed on to the next "
    "patient waiting. You are still on the waitlist."
)


@transaction.atomic
def waitlist_join(
    *,
    patient: Patient,
    by: User,
    first_day: date,
    last_day: date,
    doctor: Doctor | None = None,
    department: Department | None = None,
    time_of_day: str = WaitlistEntry.TimeOfDay.ANY,
) -> WaitlistEntry:
    """Put `patient` on the waitlist for `doctor`, or any doctor of `department`. Refused when
    they already wait for the same doctor or department on any of those dates."""
    same = WaitlistEntry.objects.waiting().filter(
        patient=patient, first_day__lte=last_day, last_day__gte=first_day
    )
    same = same.filter(doctor=doctor) if doctor else same.filter(department=department)
    if found := same.with_related().first():
        raise SchedulingError(
            f"Already on the waitlist for {found.wanted} from {found.first_day:%d %b} to "
            f"{found.last_day:%d %b %Y}: leave that entry first to change it."
        )
    entry = WaitlistEntry(
        patient=patient,
        doctor=doctor,
        department=None if doctor else department,
        first_day=first_day,
        last_day=last_day,
        time_of_day=time_of_day,
        added_by=by,
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def waitlist_leave(*, entry: WaitlistEntry) -> None:
    """Take the entry off the waitlist; a slot held for it is passed on."""
    locked = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.status != WaitlistEntry.Status.WAITING:
        return
    locked.status = WaitlistEntry.Status.LEFT
    locked.save(update_fields=["status", "updated"])
    for offer_id in locked.offers.filter(status=WaitlistOffer.Status.OFFERED).values_list(
        "pk", flat=True
    ):
        _end_offer(offer_id, WaitlistOffer.Status.VOID)


# --- Offering ------------------------------------------------------------------------------


def offer_freed_time(
    *, doctor_id: int, start: datetime, end: datetime, now: datetime | None = None
) -> list[WaitlistOffer]:
    """Offer each free slot of the doctor starting in [start, end) to the first matching entry
    in line. Safe to run twice: a held slot is not free any more."""
    doctor = Doctor.objects.with_related().filter(pk=doctor_id).first()
    if doctor is None or not doctor.is_bookable:
        return []
    first_day = timezone.localdate(start)
    last_day = timezone.localdate(end - timedelta(microseconds=1))
    if not _wanted(doctor).filter(first_day__lte=last_day, last_day__gte=first_day).exists():
        return []  # nobody waits for this doctor then: no slot needs computing
    free = slots.free_slots(doctor, first_day, last_day, now=now, use_cache=False)
    made = []
    for day_slots in free.values():
        for slot in day_slots:
            if start <= slot.start < end:
                offer = offer_slot(doctor=doctor, start=slot.start, now=now)
                made += [offer] if offer else []
    return made


def _wanted(doctor: Doctor):
    """Waiting entries for `doctor` or for any doctor of the doctor's department."""
    return WaitlistEntry.objects.waiting().filter(
        Q(doctor=doctor) | Q(doctor__isnull=True, department=doctor.department_id)
    )


def _candidates(doctor: Doctor, start: datetime) -> list[WaitlistEntry]:
    """Waiting entries this slot suits, first in line first, leaving out those offered it
    before (they declined it or let it expire)."""
    day = timezone.localdate(start)
    offered_before = WaitlistOffer.objects.filter(entry=OuterRef("pk"), doctor=doctor, start=start)
    entries = (
        _wanted(doctor)
        .filter(first_day__lte=day, last_day__gte=day)
        .filter(~Exists(offered_before))
        .order_by("joined_at", "pk")
    )
    return [entry for entry in entries if entry.matches(doctor, start)]


def offer_slot(
    *, doctor: Doctor, start: datetime, now: datetime | None = None
) -> WaitlistOffer | None:
    """Hold the slot at `start` for the first matching entry in line and queue its e-mail."""
    for entry in _candidates(doctor, start):
        try:
            offer = _with_retries(lambda e=entry: _offer_to(e, doctor, start, now))
        except IntegrityError as exc:
            if "entry" in str(exc):
                continue  # the entry was offered another slot meanwhile: the next in line
            return None  # another worker holds this slot
        if offer is not False:
            return offer
    return None


@transaction.atomic
def _offer_to(
    entry: WaitlistEntry, doctor: Doctor, start: datetime, now: datetime | None
) -> WaitlistOffer | bool | None:
    """The offer (held slot and e-mail, in one transaction); False to try the next entry, None
    when the slot is gone."""
    locked = WaitlistEntry.objects.select_for_update().filter(pk=entry.pk).first()
    if locked is None or locked.status != WaitlistEntry.Status.WAITING:
        return False
    if locked.offers.filter(status=WaitlistOffer.Status.OFFERED).exists():
        return False
    end = start + timedelta(minutes=doctor.slot_minutes)
    busy = Appointment.objects.occupying().filter(patient_id=locked.patient_id)
    if busy.overlapping(start, end).exists():
        return False
    if not slots.is_free(doctor, start, now=now):
        return None
    with transaction.atomic():
        offer = WaitlistOffer.objects.create(
            entry=locked,
            doctor=doctor,
            start=start,
            end=end,
            expires_at=_hold_until(start),
        )
    outbox.enqueue("scheduling.waitlist_offer_email", offer.pk, key=f"waitlist:{offer.pk}:offer")
    slots_changed(doctor.pk)
    return offer


def _hold_until(start: datetime) -> datetime:
    """The hold's end: WAITLIST_HOLD_MINUTES from now, but no later than the slot can still be
    booked (the minimum notice), so an accepted offer is never refused for being too soon."""
    hold = timezone.now() + timedelta(minutes=settings.WAITLIST_HOLD_MINUTES)
    return min(hold, start - timedelta(minutes=settings.HMS_BOOKING_MIN_NOTICE_MINUTES))


# --- Answers and expiry --------------------------------------------------------------------


def _end_offer(offer_id: int, status: str) -> bool:
    """End a live offer (declined, expired, void) and pass its slot on. False if it had ended."""
    with transaction.atomic():
        offer = WaitlistOffer.objects.select_for_update().filter(pk=offer_id).first()
        if offer is None or offer.status != WaitlistOffer.Status.OFFERED:
            return False
        offer.status, offer.decided_at = status, timezone.now()
        offer.save(update_fields=["status", "decided_at", "updated"])
        slots_changed(offer.doctor_id)
        time_freed(offer.doctor_id, offer.start, offer.end)
    return True


def waitlist_offer_decline(*, offer: WaitlistOffer) -> None:
    """The patient does not want the time: it goes to the next in line."""
    if not _with_retries(lambda: _end_offer(offer.pk, WaitlistOffer.Status.DECLINED)):
        status = WaitlistOffer.objects.filter(pk=offer.pk).values_list("status", flat=True)
        answered = status.first() in (WaitlistOffer.Status.ACCEPTED, WaitlistOffer.Status.DECLINED)
        raise OfferGone(OFFER_TAKEN if answered else OFFER_GONE)


@transaction.atomic
def _accept(offer_id: int, by: User, now: datetime | None) -> Appointment:
    locked = WaitlistOffer.objects.select_for_update().get(pk=offer_id)
    if locked.status != WaitlistOffer.Status.OFFERED:
        raise OfferGone(OFFER_TAKEN if locked.status == "accepted" else OFFER_GONE)
    if locked.expires_at <= (now or timezone.now()):
        raise OfferExpired(OFFER_EXPIRED.format(at=timezone.localtime(locked.expires_at)))
    entry = (
        WaitlistEntry.objects.select_for_update().select_related("patient").get(pk=locked.entry_id)
    )
    appointment = appointment_book(
        patient=entry.patient, doctor=locked.doctor, start=locked.start, by=by, now=now
    )
    locked.status, locked.decided_at = WaitlistOffer.Status.ACCEPTED, timezone.now()
    locked.appointment = appointment
    locked.save(update_fields=["status", "decided_at", "appointment", "updated"])
    entry.status = WaitlistEntry.Status.BOOKED
    entry.save(update_fields=["status", "updated"])
    return appointment


def waitlist_offer_accept(
    *, offer: WaitlistOffer, by: User, now: datetime | None = None
) -> Appointment:
    """Book the held slot through appointment_book, once: a second accept, an expired offer or
    one whose patient booked an overlapping time meanwhile is refused (OfferGone)."""
    try:
        return _with_retries(lambda: _accept(offer.pk, by, now))
    except OfferExpired:
        # Expired before the beat job saw it: pass the slot on now.
        _with_retries(lambda: _end_offer(offer.pk, WaitlistOffer.Status.EXPIRED))
        raise
    except OfferGone:
        raise
    except PatientBusy:
        _with_retries(lambda: _end_offer(offer.pk, WaitlistOffer.Status.VOID))
        raise OfferGone(OFFER_BUSY) from None
    except SchedulingError as exc:  # the slot went (leave, hours changed): nothing to hold
        _with_retries(lambda: _end_offer(offer.pk, WaitlistOffer.Status.VOID))
        raise OfferGone(f"{exc} The offer was withdrawn.") from None


def waitlist_expire_holds(*, now: datetime | None = None) -> int:
    """Expire the offers whose hold has run out and pass their slots on. Idempotent."""
    due = WaitlistOffer.objects.filter(
        status=WaitlistOffer.Status.OFFERED, expires_at__lte=now or timezone.now()
    ).values_list("pk", flat=True)
    return sum(
        _with_retries(lambda pk=pk: _end_offer(pk, WaitlistOffer.Status.EXPIRED)) for pk in due
    )
