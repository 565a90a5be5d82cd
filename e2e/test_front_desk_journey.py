"""Journey 6: the front desk runs today's queue; the doctor sees who is waiting.

The front desk signs in and lands on the queue, checks a patient in; a colleague checks another
one in elsewhere and the open queue shows it without a reload (htmx polling); on a device without
JavaScript the queue works as plain forms (a no-show); the doctor's Today page lists the waiting
patients in arrival order. Screenshots at tablet (768 px) and phone (390 px) shots; axe clean.
"""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, admin_user, front_desk_user
from clinic.tests.factories import DepartmentFactory, PatientFactory
from e2e.conftest import TABLET
from e2e.helpers import assert_no_problems, field, menu, sign_in
from scheduling import services
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, doctor_with_hours

pytestmark = pytest.mark.postgres
QUEUE = "/scheduling/queue/"


def _at(hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate()
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def morning(hospital_late_morning):
    """Late morning: Dr Grace Hopper has three patients this morning (09:30, 10:00, 10:30, none
    arrived yet) and one this afternoon."""
    doctor = doctor_with_hours(
        department=DepartmentFactory(name="Cardiology"), start=time(8), end=time(18),
        user__first_name="Grace", user__last_name="Hopper", user__email="grace@example.com",
    )  # fmt: skip
    patients = {}
    for name, hour, minute in (("Ada", 9, 30), ("Brian", 10, 0), ("Chloe", 10, 30), ("Dev", 14, 0)):
        start = _at(hour, minute).astimezone(UTC)
        patients[name] = AppointmentFactory(
            doctor=doctor, start=start, end=start + timedelta(minutes=30),
            patient=PatientFactory(user__first_name=name, user__last_name="Queue",
                                   allergies="Penicillin" if name == "Brian" else ""),
        )  # fmt: skip
    front_desk_user(email="frontdesk@example.com")
    return patients


def row(page, name: str):
    return page.locator("#queue-body li.list-group-item").filter(has_text=f"{name} Queue")


def test_front_desk_checks_a_patient_in_and_the_doctor_sees_them_waiting(
    new_page, chromium, live_server, shots, axe, morning
):
    page = new_page()
    sign_in(page, "frontdesk@example.com", lands_on=QUEUE)
    expect(page.get_by_role("heading", level=1, name="Today's queue")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Dr Grace Hopper"))).to_be_visible()
    expect(row(page, "Brian")).to_contain_text("Allergies: Penicillin")
    axe(page)
    shots(page, "j6-queue", ("desktop", "tablet", "phone"))

    row(page, "Brian").get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Brian Queue is checked in.")).to_be_visible()
    expect(row(page, "Brian")).to_contain_text("Checked in")
    expect(row(page, "Brian")).to_contain_text("waiting 0 min")
    expect(row(page, "Dev").get_by_role("button", name="No-show")).to_have_count(0)  # not started
    axe(page)
    shots(page, "j6-checked-in", ("desktop", "tablet", "phone"))

    # A patient at the desk wants the next free time today with Dr Hopper.
    PatientFactory(user__first_name="Eve", user__last_name="Queue", user__email="eve@example.com")
    page.get_by_role("link", name="Book next free slot").click()
    expect(
        page.get_by_role("heading", level=1, name="Book the next free slot today")
    ).to_be_visible()
    field(page, "Patient").fill("nobody@example.com")
    page.get_by_role("button", name=re.compile(r"^Book \d\d:\d\d$")).click()
    expect(page.get_by_text("No patient matches “nobody@example.com”")).to_be_visible()
    axe(page)
    shots(page, "j6-book-next-free-slot-error", ("desktop", "tablet", "phone"))
    field(page, "Patient").fill("Eve Queue")
    page.get_by_role("button", name=re.compile(r"^Book \d\d:\d\d$")).click()
    expect(
        page.get_by_text(re.compile("Booked: Eve Queue with Dr Grace Hopper at"))
    ).to_be_visible()
    expect(row(page, "Eve")).to_contain_text("Booked")
    page.get_by_role("link", name="Queue", exact=True).click()

    # A colleague at the other desk checks Ada in: the open queue shows it without a reload.
    services.appointment_transition(
        appointment=morning["Ada"], action="check_in", by=admin_user(email="admin@example.com")
    )
    expect(row(page, "Ada")).to_contain_text("Checked in", timeout=20_000)
    assert_no_problems(page)

    # Without JavaScript the queue is plain forms and links.
    context = chromium.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=TABLET, locale="en-GB"
    )
    plain = context.new_page()
    plain.goto("/accounts/login/")
    field(plain, "Email").fill("frontdesk@example.com")
    field(plain, "Password").fill(PASSWORD)
    plain.get_by_role("button", name="Sign in").click()
    expect(plain).to_have_url(re.compile(QUEUE))
    row(plain, "Chloe").get_by_role("button", name="No-show").click()
    expect(plain.get_by_text("Chloe Queue is marked as not attended (no-show).")).to_be_visible()
    expect(row(plain, "Chloe")).to_contain_text("No-show")
    plain.get_by_role("link", name="Refresh").click()
    expect(row(plain, "Ada")).to_contain_text("Checked in")
    context.close()
    morning["Chloe"].refresh_from_db()
    assert morning["Chloe"].status == Appointment.Status.NO_SHOW

    doctor = new_page()
    sign_in(doctor, "grace@example.com")
    menu(doctor, "Today").click()
    panel = doctor.get_by_role("region", name=re.compile("Waiting now"))
    expect(panel).to_contain_text("Waiting now (2)")
    expect(panel.get_by_role("listitem")).to_have_text(
        [
            re.compile(r"Brian Queue.*waiting \d+ min", re.S),
            re.compile(r"Ada Queue.*waiting \d+ min", re.S),
        ]
    )
    axe(doctor)
    shots(doctor, "j6-doctor-waiting", ("desktop", "tablet", "phone"))
    assert_no_problems(doctor)
