"""Journey 4: a hospital admin sets up a department and a doctor, hours and a holiday."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import admin_user
from clinic.tests.factories import DoctorFactory
from e2e.helpers import assert_no_problems, field, menu, sign_in
from scheduling.models import Holiday, WorkingHours

pytestmark = pytest.mark.postgres


def stat(page, label: str) -> int:
    """The number on the dashboard card labelled `label`."""
    card = page.locator(".card").filter(has=page.get_by_role("link", name=label, exact=True))
    return int(card.locator(".fs-3").inner_text())


def test_admin_adds_department_doctor_hours_and_holiday(new_page, shots, hospital_late_morning):
    admin_user(email="admin@example.com")
    DoctorFactory()  # the hospital is not empty: one department and one doctor already
    holiday = timezone.localdate() + timedelta(days=7)

    page = new_page()
    sign_in(page, "admin@example.com")
    expect(page.get_by_role("heading", name="Hospital dashboard")).to_be_visible()
    before = {k: stat(page, k) for k in ("Active", "Active departments")}
    assert before == {"Active": 1, "Active departments": 1}
    shots(page, "j4-dashboard-before")

    menu(page, "Departments").click()
    page.get_by_role("link", name=re.compile("New department")).click()
    field(page, "Name").fill("Neurology")
    field(page, "Description").fill("Brain, spine and nerves.")
    shots(page, "j4-department-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Department “Neurology” created.")).to_be_visible()
    shots(page, "j4-departments")

    menu(page, "Doctors").click()
    page.get_by_role("link", name="New doctor").click()
    field(page, "First name").fill("Oliver")
    field(page, "Last name").fill("Sacks")
    field(page, "E-mail address").fill("oliver.sacks@example.com")
    field(page, "Department").select_option(label="Neurology")
    field(page, "Specialization").fill("Migraine and movement disorders")
    field(page, "Qualifications").fill("BM BCh, MRCP")
    field(page, "Years of experience").fill("25")
    shots(page, "j4-doctor-form")
    page.get_by_role("button", name=re.compile("Save|Create|Invite")).click()
    expect(page.get_by_role("heading", level=1, name="Dr Oliver Sacks")).to_be_visible()
    shots(page, "j4-doctor")

    page.get_by_role("link", name="Working hours").click()
    expect(page.get_by_role("heading", name="Availability")).to_be_visible()
    rows = page.locator("#hours tbody tr")
    expect(rows).to_have_count(3)
    page.get_by_role("button", name="Add a row").click()  # a fourth row, in place
    expect(rows).to_have_count(4)
    for n, weekday in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday"]):
        rows.nth(n).locator("select").select_option(label=weekday)
        rows.nth(n).locator('input[name$="-start"]').fill("09:00")
        rows.nth(n).locator('input[name$="-end"]').fill("13:00")
    shots(page, "j4-hours-form")
    page.get_by_role("button", name="Save hours").click()
    expect(page.get_by_text(re.compile("saved", re.IGNORECASE)).first).to_be_visible()
    shots(page, "j4-hours-saved")
    hours = WorkingHours.objects.filter(doctor__user__email="oliver.sacks@example.com")
    assert sorted(hours.values_list("weekday", flat=True)) == [0, 1, 2, 3]

    menu(page, "Holidays").click()
    field(page, "Date").fill(holiday.isoformat())
    field(page, "Name").fill("Founders' Day")
    page.get_by_role("button", name="Add holiday").click()
    listed = page.get_by_role("listitem").filter(has_text="Founders' Day")
    expect(listed).to_contain_text(f"{holiday:%a} {holiday.day} {holiday:%b %Y}")
    shots(page, "j4-holiday")
    assert Holiday.objects.filter(date=holiday).exists()

    page.get_by_role("link", name="Dashboard", exact=True).click()
    after = {k: stat(page, k) for k in ("Active", "Active departments")}
    assert after == {"Active": 2, "Active departments": 2}
    shots(page, "j4-dashboard-after")
    assert_no_problems(page)
