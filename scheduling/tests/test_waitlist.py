"""The waitlist through its pages: joining and leaving, offers of freed time (held for the first
in line), accepting once, declining, expiry, department-wide entries, time-of-day preferences."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic.tests.factories import DepartmentFactory, DoctorFactory, PatientFactory
from scheduling import services, slots
from scheduling.models import Appointment, WaitlistEntry, WaitlistOffer
from scheduling.tests.conftest import next_weekday_slot

pytestmark = pytest.mark.django_db


def join(client, **data):
    today = timezone.localdate()
    form = {
        "first_day": today.isoformat(),
        "last_day": (today + timedelta(days=7)).isoformat(),
        "time_of_day": "any",
        **data,
    }
    return client.post(reverse("scheduling:waitlist-join"), form)


def waiting(user, doctor, **extra):
    return services.waitlist_join(
        patient=user.patient_profile,
        by=user,
        doctor=doctor,
        first_day=timezone.localdate(),
        last_day=timezone.localdate() + timedelta(days=7),
        **extra,
    )


def cancel(client, user, appointment):
    client.force_login(user)
    url = reverse("scheduling:appointment-cancel", args=[appointment.pk])
    return client.post(url, {"reason": "Better"})


def booked_and_cancelled(client, run_outbox, doctor, start, **user_kwargs):
    """Someone books `start` with `doctor` and cancels it (through the page): the time frees up."""
    someone = PatientFactory(**user_kwargs).user
    appointment = services.appointment_book(
        patient=someone.patient_profile, doctor=doctor, start=start, by=someone
    )
    mail.outbox.clear()
    with run_outbox():
        cancel(client, someone, appointment)
    return appointment


def offer_link(message) -> str:
    return re.search(r"https?://\S+(/scheduling/waitlist/offers/[\w-]+/)", message.body).group(1)


def offer_mails():
    return [m for m in mail.outbox if "earlier appointment" in m.subject]


# --- Joining and leaving ------------------------------------------------------------------


def test_patient_joins_sees_and_leaves_their_entry(client_for, patient, open_doctor):
    client = client_for(patient)

    response = join(client, doctor=open_doctor.pk, time_of_day="morning")

    assert response.status_code == 302
    entry = WaitlistEntry.objects.get(patient__user=patient)
    assert (entry.doctor, entry.time_of_day) == (open_doctor, "morning")
    page = client.get(reverse("scheduling:my-appointments")).content.decode()
    assert open_doctor.display_name in page and "Morning" in page

    client.post(reverse("scheduling:waitlist-leave", args=[entry.pk]))

    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.LEFT
    assert "You are not waiting" in client.get(reverse("scheduling:my-appointments")).text


def test_join_without_a_doctor_or_department_or_with_dates_reversed_saves_nothing(
    client_for, patient
):
    client = client_for(patient)
    today = timezone.localdate()

    response = join(client, last_day=(today - timedelta(days=1)).isoformat())

    form = response.context["form"]
    assert "Choose a doctor, or a department" in form.errors["department"][0]
    assert "on or after the first" in form.errors["last_day"][0]
    assert 'aria-invalid="true"' in response.text
    assert not WaitlistEntry.objects.exists()


def test_staff_put_a_patient_on_the_waitlist_and_see_it(client_for, hospital_admin, patient):
    department = DepartmentFactory(name="Cardiology")
    client = client_for(hospital_admin)

    url = reverse("scheduling:waitlist-join") + f"?for={patient.patient_profile.pk}"
    response = client.post(url, {**_dates(), "department": department.pk, "time_of_day": "any"})

    assert response.status_code == 302
    entry = WaitlistEntry.objects.get()
    assert (entry.patient.user, entry.department, entry.added_by) == (
        patient,
        department,
        hospital_admin,
    )
    assert "any doctor of Cardiology" in client.get(reverse("scheduling:waitlist")).text


def _dates():
    today = timezone.localdate()
    return {"first_day": today.isoformat(), "last_day": (today + timedelta(days=7)).isoformat()}


def test_a_patient_cannot_leave_another_patients_entry(client_for, patient, other_patient, doctor):
    entry = waiting(patient, doctor.doctor_profile)

    response = client_for(other_patient).post(reverse("scheduling:waitlist-leave", args=[entry.pk]))

    assert response.status_code == 404
    assert WaitlistEntry.objects.get().status == "waiting"


# --- Offers -------------------------------------------------------------------------------


def test_a_cancelled_slot_is_offered_to_the_first_in_line_and_held_for_them(
    client, run_outbox, patient, other_patient, open_doctor
):
    start = next_weekday_slot(10)
    waiting(patient, open_doctor)
    waiting(other_patient, open_doctor)

    booked_and_cancelled(client, run_outbox, open_doctor, start)

    offer = WaitlistOffer.objects.get()
    assert (offer.entry.patient.user, offer.start, offer.status) == (patient, start, "offered")
    assert [m.to for m in offer_mails()] == [[patient.email]]
    assert offer_link(offer_mails()[0]) == f"/scheduling/waitlist/offers/{offer.token}/"
    day = timezone.localdate(start)
    # Held: free for the holder only, and nobody else can book it.
    assert start in [
        s.start for s in slots.free_slots(open_doctor, day, day, patient=offer.entry.patient)[day]
    ]
    assert start not in [s.start for s in slots.free_slots(open_doctor, day, day)[day]]
    with pytest.raises(services.SlotUnavailable):
        services.appointment_book(
            patient=other_patient.patient_profile, doctor=open_doctor, start=start, by=other_patient
        )
    client.force_login(patient)
    for page in ("scheduling:my-appointments", "reports:patient-dashboard"):
        banner = client.get(reverse(page)).text
        assert "A time is free for you" in banner and offer.token in banner, page


def test_accept_books_the_slot_once(client, run_outbox, patient, open_doctor):
    start = next_weekday_slot(10)
    waiting(patient, open_doctor)
    booked_and_cancelled(client, run_outbox, open_doctor, start)
    link = offer_link(offer_mails()[0])
    client.force_login(patient)

    assert "Accept and book" in client.get(link).text
    with run_outbox():
        first = client.post(link + "accept/")
        second = client.post(link + "accept/", follow=True)

    appointment = Appointment.objects.occupying().get()
    assert (appointment.patient.user, appointment.start) == (patient, start)
    assert first.url == reverse("scheduling:appointment-detail", args=[appointment.pk])
    assert "You have already answered this offer." in second.text
    offer = WaitlistOffer.objects.get()
    assert (offer.status, offer.appointment) == ("accepted", appointment)
    assert offer.entry.status == "booked"
    assert any(m.subject.endswith("Appointment confirmed") for m in mail.outbox)


def test_accept_after_the_hold_expired_is_refused_and_the_next_in_line_is_offered(
    client, run_outbox, patient, other_patient, open_doctor, settings
):
    start = next_weekday_slot(10)
    waiting(patient, open_doctor)
    waiting(other_patient, open_doctor)
    booked_and_cancelled(client, run_outbox, open_doctor, start)
    link = offer_link(offer_mails()[0])

    later = timezone.now() + timedelta(minutes=settings.WAITLIST_HOLD_MINUTES + 1)
    with time_machine.travel(later, tick=False), run_outbox():
        client.force_login(patient)  # a fresh sign-in: the idle timeout ended the old one
        response = client.post(link + "accept/", follow=True)

    assert "This offer expired" in response.text
    assert not Appointment.objects.occupying().exists()
    offers = {o.entry.patient.user: o.status for o in WaitlistOffer.objects.all()}
    assert offers == {patient: "expired", other_patient: "offered"}


def test_expiry_job_passes_the_slot_on_once_and_finally_back_to_everyone(
    client, run_outbox, patient, other_patient, open_doctor, settings
):
    start = next_weekday_slot(10)
    waiting(patient, open_doctor)
    waiting(other_patient, open_doctor)
    booked_and_cancelled(client, run_outbox, open_doctor, start)
    day = timezone.localdate(start)
    hold = timedelta(minutes=settings.WAITLIST_HOLD_MINUTES + 1)

    with time_machine.travel(timezone.now() + hold, tick=False), run_outbox():
        assert services.waitlist_expire_holds() == 1
        assert services.waitlist_expire_holds() == 0  # run twice: nothing more happens

    second = WaitlistOffer.objects.get(status="offered")
    assert second.entry.patient.user == other_patient
    assert start not in [s.start for s in slots.free_slots(open_doctor, day, day)[day]]

    with time_machine.travel(timezone.now() + 2 * hold, tick=False):
        with run_outbox():
            services.waitlist_expire_holds()
        # Read after the commit's callbacks ran (the slot cache is renewed on commit).
        free = [s.start for s in slots.free_slots(open_doctor, day, day)[day]]

    assert not WaitlistOffer.objects.filter(status="offered").exists()
    assert start in free  # nobody left in line: free for everyone
    assert WaitlistOffer.objects.count() == 2


def test_decline_offers_the_slot_to_the_next_in_line(
    client, run_outbox, patient, other_patient, open_doctor
):
    waiting(patient, open_doctor)
    waiting(other_patient, open_doctor)
    booked_and_cancelled(client, run_outbox, open_doctor, next_weekday_slot(10))
    link = offer_link(offer_mails()[0])
    mail.outbox.clear()
    client.force_login(patient)

    with run_outbox():
        response = client.post(link + "decline/", follow=True)

    assert "Declined" in response.text
    assert [m.to for m in offer_mails()] == [[other_patient.email]]
    statuses = {o.entry.patient.user: o.status for o in WaitlistOffer.objects.all()}
    assert statuses == {patient: "declined", other_patient: "offered"}


def test_accept_when_the_patient_booked_an_overlapping_time_meanwhile(
    client, run_outbox, patient, other_patient, open_doctor
):
    start = next_weekday_slot(10)
    waiting(patient, open_doctor)
    waiting(other_patient, open_doctor)
    booked_and_cancelled(client, run_outbox, open_doctor, start)
    link = offer_link(offer_mails()[0])
    elsewhere = DoctorFactory()
    for weekday in range(7):
        elsewhere.working_hours.create(weekday=weekday, start="08:00", end="18:00")
    services.appointment_book(
        patient=patient.patient_profile, doctor=elsewhere, start=start, by=patient
    )
    client.force_login(patient)

    with run_outbox():
        response = client.post(link + "accept/", follow=True)

    assert "You already have an appointment at this time" in response.text
    assert not Appointment.objects.filter(doctor=open_doctor).occupying().exists()
    statuses = {o.entry.patient.user: o.status for o in WaitlistOffer.objects.all()}
    assert statuses == {patient: "void", other_patient: "offered"}


def test_another_patient_cannot_open_or_answer_an_offer(
    client, run_outbox, patient, other_patient, open_doctor
):
    waiting(patient, open_doctor)
    booked_and_cancelled(client, run_outbox, open_doctor, next_weekday_slot(10))
    link = offer_link(offer_mails()[0])
    client.force_login(other_patient)

    assert client.get(link).status_code == 404
    assert client.post(link + "accept/").status_code == 404
    assert WaitlistOffer.objects.get().status == "offered"


def test_the_offer_link_asks_a_signed_out_patient_to_sign_in(
    client, run_outbox, patient, open_doctor
):
    waiting(patient, open_doctor)
    booked_and_cancelled(client, run_outbox, open_doctor, next_weekday_slot(10))
    link = offer_link(offer_mails()[0])
    client.logout()

    response = client.get(link)

    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert "next=" in response.url


# --- The staff page -----------------------------------------------------------------------


def _fill_waitlist(doctor, count):
    for _ in range(count):
        user = PatientFactory().user
        entry = waiting(user, doctor)
        WaitlistOffer.objects.create(
            entry=entry, doctor=doctor, start=timezone.now() + timedelta(days=len(user.email)),
            end=timezone.now() + timedelta(days=len(user.email), minutes=30),
            expires_at=timezone.now(), status="declined",
        )  # fmt: skip


def test_staff_waitlist_page_lists_entries_and_offers_in_constant_queries(
    client_for, hospital_admin, open_doctor, django_assert_max_num_queries
):
    client = client_for(hospital_admin)
    url = reverse("scheduling:waitlist")
    _fill_waitlist(open_doctor, 2)
    client.get(url)  # the permission cache is warm

    with django_assert_max_num_queries(4) as small:
        client.get(url)
    _fill_waitlist(open_doctor, 12)
    client.get(url)  # new users changed the groups: the permission cache is warmed again
    with django_assert_max_num_queries(4) as large:
        response = client.get(url)

    assert len(small.captured_queries) == len(large.captured_queries)
    assert response.text.count("Declined") == 14
    assert response.text.count(">Remove<") == 14


def test_joining_twice_for_the_same_doctor_and_dates_is_refused(client_for, patient, open_doctor):
    client = client_for(patient)
    join(client, doctor=open_doctor.pk)

    response = join(client, doctor=open_doctor.pk)

    assert response.status_code == 200
    assert "Already on the waitlist for Dr" in response.text
    assert WaitlistEntry.objects.count() == 1


def test_entries_whose_dates_have_passed_are_no_longer_listed(client_for, patient, open_doctor):
    waiting(patient, open_doctor)
    client = client_for(patient)

    with time_machine.travel(timezone.now() + timedelta(days=9), tick=False):
        client.force_login(patient)
        page = client.get(reverse("scheduling:my-appointments")).text

    assert "You are not waiting" in page
