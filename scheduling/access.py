"""Who may see and act on which appointment and schedule; every scheduling view uses this."""

from __future__ import annotations

import hmac

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from clinic.models import Doctor, Patient
from clinic.signals import patient_data_accessed
from hms.lib.request import parse_id
from scheduling.feed_models import PREFIX_LENGTH, token_digest
from scheduling.models import Appointment, CalendarFeed, Leave, WaitlistEntry, WaitlistOffer

HOURS_PERM = "scheduling.change_workinghours"  # staff changing hours and single slots
LEAVE_PERM = "scheduling.change_leave"


def is_scheduling_staff(user) -> bool:
    return user.has_perm("scheduling.manage_all_appointments")


def may_follow_record_link(user) -> bool:
    """Whether an appointment's page links its visit record. Staff without the records
    permission (the front desk) never see medical records: no dead link for them."""
    return not is_scheduling_staff(user) or user.has_perm("records.view_all_records")


def get_appointment_for_user(user, pk: int) -> Appointment:
    """Staff see every appointment; a doctor or patient only their own; others get 404."""
    appointments = Appointment.objects.with_actors().with_attention().with_successor()
    if is_scheduling_staff(user):
        return get_object_or_404(appointments, pk=pk)
    appointment = appointments.filter(pk=pk).first()
    if appointment is None or user.pk not in (
        appointment.doctor.user_id,
        appointment.patient.user_id,
    ):
        raise Http404
    return appointment


def get_own_appointments(user):
    """The appointments of a patient or a doctor themself (with what lists show); 403 for
    anyone else."""
    if user.has_perm("scheduling.book_own_appointment"):
        mine = Appointment.objects.for_patient_list().filter(patient__user=user)
    elif user.has_perm("scheduling.manage_own_schedule"):
        mine = Appointment.objects.for_list().filter(doctor__user=user)
    else:
        raise PermissionDenied
    return mine.with_attention().with_successor()


def get_booking_patient(user, for_patient: str | None) -> Patient:
    """Whom a booking is for: staff book for any active patient (?for=<id>), patients for
    themselves."""
    if for_patient and is_scheduling_staff(user):
        patient_id = parse_id(for_patient)
        if patient_id is None:
            raise Http404
        return get_object_or_404(Patient.objects.with_related(), pk=patient_id)
    if user.has_perm("scheduling.book_own_appointment"):
        return get_object_or_404(Patient.objects.with_related(), user=user)
    raise PermissionDenied


def get_bookable_doctor(pk: int) -> Doctor:
    doctor = Doctor.objects.with_related().filter(pk=pk).first()
    if doctor is None or not doctor.is_bookable:
        raise Http404
    return doctor


def rescheduling_doctors(user, appointment: Appointment) -> list[Doctor]:
    """Whom staff may move an appointment to: the bookable doctors of its department (others
    move it with the same doctor only)."""
    if not is_scheduling_staff(user):
        return []
    return list(
        Doctor.objects.bookable().with_related().filter(department=appointment.doctor.department_id)
    )


def get_rescheduling_doctor(user, appointment: Appointment, wanted_id: int | None) -> Doctor:
    """The doctor of the new time: the same one, or for staff the bookable doctor asked for."""
    if wanted_id and wanted_id != appointment.doctor_id and is_scheduling_staff(user):
        return get_bookable_doctor(wanted_id)
    return appointment.doctor


def get_leave_for_user(user, pk: int) -> Leave:
    """Leave of the doctor's own (or, for staff, of any doctor); 404 when unknown, 403 else."""
    leave = get_object_or_404(Leave.objects.select_related("doctor__user"), pk=pk)
    doctor = get_schedule_doctor(user, str(leave.doctor_id), staff_perm=LEAVE_PERM)
    if doctor.pk != leave.doctor_id:
        raise PermissionDenied
    return leave


class DoctorNotChosen(Exception):
    """Staff opened a per-doctor page without saying which doctor."""


def get_schedule_doctor(
    user, doctor_pk: str | None = None, *, staff_perm: str | None = None
) -> Doctor:
    """The doctor whose schedule/availability is shown: own for doctors, any for staff. Staff
    pages that change a doctor's time (hours, slots, leave) also need `staff_perm`: the front
    desk manages appointments, not the doctors' availability."""
    if is_scheduling_staff(user):
        if staff_perm and not user.has_perm(staff_perm):
            raise PermissionDenied
        if not doctor_pk:
            raise DoctorNotChosen
        doctor_id = parse_id(doctor_pk)
        if doctor_id is None:
            raise Http404
        return get_object_or_404(Doctor.objects.with_related(), pk=doctor_id)
    if user.has_perm("scheduling.manage_own_schedule"):
        return get_object_or_404(Doctor.objects.with_related(), user=user, removed_at__isnull=True)
    raise PermissionDenied


def get_waitlist_entry_for_user(user, pk: int) -> WaitlistEntry:
    """A waitlist entry of the patient's own (or, for staff, anyone's); 404 for everyone else."""
    entry = get_object_or_404(WaitlistEntry.objects.with_related(), pk=pk)
    if is_scheduling_staff(user) or entry.patient.user_id == user.pk:
        return entry
    raise Http404


def get_offer_for_user(user, token: str) -> WaitlistOffer:
    """The offer its e-mail link names, for its patient (or staff); 404 for everyone else, so a
    link seen by someone else tells them nothing."""
    offer = get_object_or_404(WaitlistOffer.objects.with_related(), token=token)
    if is_scheduling_staff(user) or offer.entry.patient.user_id == user.pk:
        return offer
    raise Http404


def get_calendar_feed_kind(user) -> str:
    """ "doctor" or "patient": whose appointments the user's own calendar feed would hold.
    Staff have no feed of their own (403)."""
    if user.has_perm("scheduling.manage_own_schedule"):
        doctors = Doctor.objects.filter(user=user, removed_at__isnull=True)
        if doctors.exists():
            return "doctor"
    elif user.has_perm("scheduling.book_own_appointment"):
        patients = Patient.objects.filter(user=user)
        if patients.exists():
            return "patient"
    raise PermissionDenied


_NO_DIGEST = token_digest("")  # compared when no feed has the prefix: both ways take as long


def _feed_serves(feed: CalendarFeed) -> bool:
    """A feed stops with its owner's account: a blocked or removed doctor, an inactive patient."""
    owner = feed.owner
    doctor = getattr(owner, "doctor_profile", None)
    if doctor is not None:
        return owner.is_active and doctor.status != Doctor.Status.BLOCKED and not doctor.is_removed
    patient = getattr(owner, "patient_profile", None)
    return owner.is_active and patient is not None and patient.is_active


def get_calendar_feed_for_token(request, token: str) -> CalendarFeed:
    """The feed a calendar app fetches with its address's token. 404 for a wrong or revoked
    token, without a timing difference worth exploiting: the row is found by the token's
    non-secret prefix and its digest compared in constant time whether a row was found or not.
    A known feed whose owner may no longer use it is 404 too, and that refusal is logged."""
    feed = None
    if len(token) > PREFIX_LENGTH:
        feed = (
            CalendarFeed.objects.select_related(
                "owner__doctor_profile__department", "owner__patient_profile"
            )
            .filter(token_prefix=token[:PREFIX_LENGTH])
            .first()
        )
    matches = hmac.compare_digest(token_digest(token), feed.token_digest if feed else _NO_DIGEST)
    if feed is None or not matches:
        raise Http404
    if not _feed_serves(feed):
        log_calendar_feed_fetch(request, feed, allowed=False)
        raise Http404
    return feed


def log_calendar_feed_fetch(request, feed: CalendarFeed, *, allowed: bool = True) -> None:
    """The access-log row of a fetch: the request has no signed-in user, so the row names the
    feed's owner (whose token it was) with the role "calendar feed", and for a patient's feed
    the patient, who sees it in "Who accessed my records"."""
    patient = getattr(feed.owner, "patient_profile", None)
    # The log keeps the token's prefix (which finds the feed), never the secret part.
    path = request.path.rsplit("/", 1)[0] + f"/{feed.token_prefix}***.ics"
    patient_data_accessed.send(
        sender=CalendarFeed, request=request, patient=patient, action="download", obj=feed,
        object_type="calendar_feed", actor=feed.owner, role="calendar feed", allowed=allowed,
        path=path,
    )  # fmt: skip
