"""Journey: a front-desk morning end to end (issue 14's proof, in one run).

The front desk registers a walk-in without an e-mail address, books them the next free slot today
in the department from the queue, and checks them in; the doctor sees them waiting; a patient
cancels a later visit and the first patient on the waitlist accepts the offer from the e-mail
link. Screenshots at tablet (768 px) and phone (390 px) widths; axe clean.
"""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import front_desk_user
from clinic.tests.factories import DepartmentFactory, PatientFactory
from e2e.helpers import assert_no_problems, field, sign_in
from scheduling import services
from scheduling.models import Appointment, WaitlistEntry
from scheduling.tests.factories import doctor_with_hours

pytestmark = pytest.mark.postgres


@pytest.fixture
def clinic_day(hospital_late_morning):
    """Dr Grace Hopper (Cardiology) sees patients all day; Florence is booked for 16:00 today and
    Mary waits for an earlier time with Dr Hopper."""
    doctor = doctor_with_hours(
        department=DepartmentFactory(name="Cardiology"), start=time(8), end=time(18),
        user__first_name="Grace", user__last_name="Hopper", user__email="grace@example.com",
    )  # fmt: skip
    front_desk_user(email="frontdesk@example.com")
    florence = PatientFactory(user__email="florence@example.com", user__first_name="Florence")
    later = datetime.combine(timezone.localdate(), time(16), tzinfo=timezone.get_current_timezone())
    florence_visit = services.appointment_book(
        patient=florence, doctor=doctor, start=later.astimezone(UTC), by=florence.user
    )
    mary = PatientFactory(user__email="mary.seacole@example.com", user__first_name="Mary")
    today = timezone.localdate()
    WaitlistEntry.objects.create(
        patient=mary, doctor=doctor, first_day=today, last_day=today + timedelta(days=7)
    )
    return doctor, florence_visit


def test_front_desk_morning_walk_in_queue_and_waitlist(new_page, shots, axe, clinic_day):
    _, florence_visit = clinic_day

    # The front desk registers a walk-in who has no e-mail address.
    desk = new_page()
    sign_in(desk, "frontdesk@example.com", lands_on="/scheduling/queue/")
    desk.goto("/clinic/staff/patients/new/")
    field(desk, "First name").fill("Walter")
    field(desk, "Last name").fill("Inman")
    field(desk, "Gender").select_option(label="Male")
    field(desk, "Date of birth").fill("1961-07-04")
    field(desk, "Phone").fill("07700 900123")
    desk.get_by_role("button", name="Register", exact=True).click()
    expect(desk.get_by_role("heading", level=2, name="No e-mail: no reminders")).to_be_visible()

    # ... and books him the next free slot today in Cardiology, from the queue.
    desk.goto("/scheduling/queue/")
    field(desk, "Department").select_option(label="Cardiology")
    axe(desk)
    shots(desk, "queue", ("tablet", "phone"), fits=True)
    desk.get_by_role("button", name="Next free slot today").click()
    heading = desk.get_by_role("heading", level=1, name="Book the next free slot today")
    expect(heading).to_be_visible()
    field(desk, "Patient").fill("07700 900123")
    axe(desk)
    shots(desk, "book-walk-in", ("tablet", "phone"), fits=True)
    desk.get_by_role("button", name=re.compile(r"^Book \d\d:\d\d$")).click()
    booked_message = re.compile("Booked: Walter Inman with Dr Grace Hopper at")
    expect(desk.get_by_text(booked_message)).to_be_visible()
    walk_in = Appointment.objects.get(patient__user__last_name="Inman")
    assert walk_in.patient.user.email is None

    # Walter arrives: checked in from the queue.
    walter = desk.locator("#queue-body li.list-group-item").filter(has_text="Walter Inman")
    walter.get_by_role("button", name="Check in").click()
    expect(desk.get_by_text("Walter Inman is checked in.")).to_be_visible()
    expect(walter).to_contain_text("Checked in")
    shots(desk, "walk-in-checked-in", ("tablet", "phone"), fits=True)

    # The doctor sees him waiting.
    grace = new_page()
    sign_in(grace, "grace@example.com")
    grace.goto("/scheduling/today/")
    panel = grace.get_by_role("region", name=re.compile("Waiting now"))
    expect(panel).to_contain_text("Walter Inman")
    axe(grace)
    shots(grace, "doctor-sees-walk-in-waiting", ("tablet", "phone"), fits=True)

    # Florence cancels her 16:00 visit; Mary, first on the waitlist, accepts from the e-mail.
    florence = new_page()
    sign_in(florence, "florence@example.com")
    florence.goto(f"/scheduling/appointments/{florence_visit.pk}/cancel/")
    florence.get_by_role("button", name="Cancel appointment").click()
    expect(florence.get_by_text("The appointment was cancelled")).to_be_visible()
    (message,) = [m for m in mail.outbox if "mary.seacole@example.com" in m.to]
    link = re.search(r"https?://\S+?(/scheduling/waitlist/offers/[\w-]+/)", message.body)[1]

    mary = new_page()
    sign_in(mary, "mary.seacole@example.com")
    mary.goto(link)
    expect(mary.get_by_role("button", name="Accept and book")).to_be_visible()
    axe(mary)
    shots(mary, "waitlist-offer", ("tablet", "phone"), fits=True)
    mary.get_by_role("button", name="Accept and book").click()
    expect(mary.get_by_text("Booked: the appointment is yours")).to_be_visible()
    booked = Appointment.objects.occupying().get(patient__user__email="mary.seacole@example.com")
    assert booked.start == florence_visit.start
    for page in (desk, grace, florence, mary):
        assert_no_problems(page)
