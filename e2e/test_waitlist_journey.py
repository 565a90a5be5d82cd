"""Journey: a patient joins the waitlist, another patient cancels, the first accepts the offer
from the e-mail link and is booked (axe on every page; screenshots at 1280, 768 and 390 px)."""

import re
from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import admin_user
from clinic.tests.factories import DepartmentFactory, PatientFactory
from e2e.helpers import assert_no_problems, sign_in
from scheduling import services
from scheduling.models import Appointment, WaitlistOffer
from scheduling.tests.factories import doctor_with_hours

pytestmark = pytest.mark.postgres


@pytest.fixture
def booked_up(hospital_late_morning):
    """Dr Grace Hopper, whose time tomorrow at 10:00 is booked by another patient."""
    doctor = doctor_with_hours(
        department=DepartmentFactory(name="Cardiology"),
        start=time(8, 0),
        end=time(18, 0),
        user__first_name="Grace",
        user__last_name="Hopper",
    )
    admin_user(email="admin@example.com")
    PatientFactory(user__email="mary.seacole@example.com", user__first_name="Mary")
    other = PatientFactory(user__email="florence@example.com", user__first_name="Florence")
    tomorrow = timezone.localdate() + timedelta(days=1)
    start = timezone.make_aware(timezone.datetime.combine(tomorrow, time(10)))
    services.appointment_book(patient=other, doctor=doctor, start=start, by=other.user)
    return doctor, start


def test_waitlisted_patient_accepts_a_freed_slot_from_the_email(new_page, shots, axe, booked_up):
    doctor, start = booked_up

    # Mary joins the waitlist for Dr Hopper from the doctor's page.
    mary = new_page()
    sign_in(mary, "mary.seacole@example.com")
    mary.goto(f"/clinic/doctors/{doctor.pk}/")
    mary.get_by_role("link", name="Join the waitlist").click()
    expect(mary.get_by_role("heading", name="Join the waitlist")).to_be_visible()
    expect(mary.get_by_label("Doctor")).to_have_value(str(doctor.pk))
    axe(mary)
    shots(mary, "join", ("desktop", "tablet", "phone"))
    mary.get_by_role("button", name="Join the waitlist").click()
    expect(mary.get_by_text("You are on the waitlist for Dr Grace Hopper")).to_be_visible()
    expect(mary.get_by_role("button", name=re.compile("Leave"))).to_be_visible()
    axe(mary)
    shots(mary, "on-the-waitlist", ("desktop", "tablet", "phone"))

    # Florence cancels her appointment: the time is offered to Mary and held for her.
    florence = new_page()
    sign_in(florence, "florence@example.com")
    florence.goto(f"/scheduling/appointments/{Appointment.objects.get().pk}/cancel/")
    florence.get_by_role("button", name="Cancel appointment").click()
    expect(florence.get_by_text("The appointment was cancelled")).to_be_visible()

    offer = WaitlistOffer.objects.get()
    (message,) = [m for m in mail.outbox if "mary.seacole@example.com" in m.to]
    assert "An earlier appointment is free for you" in message.subject
    link = re.search(r"https?://\S+?(/scheduling/waitlist/offers/[\w-]+/)", message.body)[1]

    # Mary sees the banner, then follows the e-mail's link and accepts.
    mary.goto("/scheduling/my/")
    expect(mary.get_by_text("A time is free for you")).to_be_visible()
    axe(mary)
    shots(mary, "banner", ("desktop", "tablet", "phone"))
    mary.goto(link)
    local = timezone.localtime(start)
    expect(mary.get_by_text(f"{local:%A} {local.day} {local:%B %Y}, 10:00")).to_be_visible()
    axe(mary)
    shots(mary, "offer", ("desktop", "tablet", "phone"))
    mary.get_by_role("button", name="Accept and book").click()
    expect(mary.get_by_text("Booked: the appointment is yours")).to_be_visible()
    axe(mary)
    shots(mary, "booked", ("desktop", "tablet", "phone"))

    offer.refresh_from_db()
    booked = Appointment.objects.occupying().get()
    assert (booked.patient.user.email, booked.start, offer.status) == (
        "mary.seacole@example.com",
        start,
        "accepted",
    )

    # The front desk sees who waited and what became of the offer.
    desk = new_page()
    sign_in(desk, "admin@example.com")
    desk.goto("/scheduling/appointments/?when=upcoming")
    desk.get_by_role("link", name="Waitlist").click()
    expect(desk.get_by_role("cell", name="Accepted")).to_be_visible()
    axe(desk)
    shots(desk, "staff-waitlist", ("desktop", "tablet", "phone"))
    for page in (mary, florence, desk):
        assert_no_problems(page)
