"""Journey: the desk registers a walk-in without an e-mail address, finds them again by phone as
it types (htmx) and without JavaScript, then adds an address and the invitation goes out."""

import re

from playwright.sync_api import expect

from accounts.tests.factories import admin_user
from clinic.tests.factories import PatientFactory
from e2e.helpers import assert_no_problems, field, sign_in


def test_desk_registers_a_walk_in_and_finds_them_by_phone(
    new_page, shots, axe, chromium, live_server
):
    admin_user(email="admin@example.com")
    PatientFactory(user__first_name="Ben", user__last_name="Other", phone="+447700900123")

    page = new_page()
    sign_in(page, "admin@example.com")
    page.goto("/clinic/staff/patients/new/")
    axe(page)
    field(page, "First name").fill("Amara")
    field(page, "Last name").fill("Okafor")
    field(page, "Gender").select_option(label="Female")
    field(page, "Date of birth").fill("1980-03-14")
    field(page, "Phone").fill("07911 654321")
    shots(page, "register-walk-in", ("desktop", "tablet", "phone"), fits=True)
    page.get_by_role("button", name="Register", exact=True).click()

    expect(page.get_by_role("heading", level=2, name="No e-mail: no reminders")).to_be_visible()
    expect(page.get_by_text("no login and no e-mail reminders until one is added")).to_be_visible()
    axe(page)
    shots(page, "walk-in-page", ("desktop", "tablet", "phone"), fits=True)

    page.goto("/clinic/staff/patients/")
    box = page.get_by_role("searchbox", name="Search")
    box.press_sequentially("07911 654", delay=40)  # no Filter click: results as you type
    expect(page).to_have_url(re.compile(r"q=07911"))
    results = page.locator("#patient-results")
    expect(results.get_by_role("link", name="Amara Okafor", exact=True)).to_be_visible()
    expect(results.get_by_text("Ben Other")).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text(re.compile("1 patient found"))
    axe(page)
    shots(page, "search-by-phone", ("desktop", "tablet", "phone"), fits=True)

    box.fill("14/03/1980")
    box.press("Enter")
    expect(results.get_by_role("link", name="Amara Okafor", exact=True)).to_be_visible()

    results.get_by_role("link", name="Amara Okafor", exact=True).click()
    field(page, "E-mail address").fill("amara@example.com")
    page.get_by_role("button", name="Add e-mail and send invitation").click()
    expect(page.get_by_text("An invitation was sent to amara@example.com.")).to_be_visible()
    expect(page.get_by_text("No e-mail: no reminders")).to_have_count(0)
    assert_no_problems(page)

    # Without JavaScript the same box is a plain GET form.
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    plain = context.new_page()
    sign_in(plain, "admin@example.com")
    plain.goto("/clinic/staff/patients/")
    plain.get_by_role("searchbox", name="Search").fill("okafor amara")
    plain.get_by_role("button", name="Search", exact=True).click()
    expect(plain.get_by_role("link", name="Amara Okafor", exact=True)).to_be_visible()
    expect(plain.get_by_text("Ben Other")).to_have_count(0)
    context.close()
