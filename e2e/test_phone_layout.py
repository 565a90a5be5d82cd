"""Pages as people use them on a phone, and without JavaScript.

The menus (phone menu, user menu) open without JavaScript; the list pages with actions fit a
390 px screen (no sideways scrolling) with their buttons in full words.
"""

import re

import pytest
from playwright.sync_api import expect

from e2e.conftest import DESKTOP, PHONE, artifacts_dir
from e2e.helpers import assert_no_problems, sign_in


@pytest.fixture
def no_js_page(chromium, live_server):
    """no_js_page(viewport): a page in a fresh context with JavaScript turned off."""
    contexts = []

    def make(viewport=PHONE):
        context = chromium.new_context(
            base_url=live_server.url,
            viewport=viewport,
            java_script_enabled=False,
            locale="en-GB",
            reduced_motion="reduce",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page, request, name: str) -> None:
    folder = artifacts_dir() / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    request.config._e2e_used_artifacts = True
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def sign_in_to(page, email: str) -> None:
    """Sign in and stay wherever the site sends the user (sign_in expects the dashboard)."""
    from accounts.tests.factories import PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"^\s*Email")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def navigation(page):
    return page.get_by_role("navigation", name="Main navigation")


def toggle(nav, text: str):
    """The <summary> that opens the menu named `text`."""
    return nav.locator("summary", has_text=text)


def test_menus_open_on_a_phone_without_javascript(no_js_page, hospital_admin, request):
    page = no_js_page(PHONE)
    sign_in(page, hospital_admin.email)
    nav = navigation(page)
    expect(nav.get_by_role("link", name="Appointments")).to_be_hidden()

    toggle(nav, "Menu").click()
    expect(nav.get_by_role("link", name="Appointments")).to_be_visible()
    expect(nav.get_by_role("link", name="Two-factor sign-in")).to_be_hidden()
    toggle(nav, hospital_admin.get_full_name()).click()
    expect(nav.get_by_role("link", name="Two-factor sign-in")).to_be_visible()
    toggle(nav, "Records").click()
    expect(nav.get_by_role("link", name="Access log")).to_be_visible()
    screenshot(page, request, "phone-menu-open-no-js")  # axe needs JavaScript: see below

    nav.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile("/accounts/login/|/$"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_user_menu_opens_on_a_desktop_without_javascript(no_js_page, hospital_admin, request):
    page = no_js_page(DESKTOP)
    sign_in(page, hospital_admin.email)
    nav = navigation(page)
    expect(nav.get_by_role("link", name="Appointments")).to_be_visible()  # in the bar, no toggle
    expect(toggle(nav, "Menu")).to_be_hidden()

    toggle(nav, hospital_admin.get_full_name()).click()

    expect(nav.get_by_role("link", name="Two-factor sign-in")).to_be_visible()
    expect(nav.get_by_role("button", name="Sign out")).to_be_visible()
    screenshot(page, request, "user-menu-open-no-js-desktop")


def test_with_javascript_menus_close_on_escape_and_a_click_elsewhere(new_page, hospital_admin, axe):
    page = new_page()
    sign_in(page, hospital_admin.email)
    nav = navigation(page)
    two_factor = nav.get_by_role("link", name="Two-factor sign-in")

    toggle(nav, hospital_admin.get_full_name()).click()
    expect(two_factor).to_be_visible()
    axe(page)
    page.keyboard.press("Escape")
    expect(two_factor).to_be_hidden()
    toggle(nav, hospital_admin.get_full_name()).click()
    page.locator("main").click()
    expect(two_factor).to_be_hidden()

    page.set_viewport_size(PHONE)
    toggle(nav, "Menu").click()
    toggle(nav, hospital_admin.get_full_name()).click()
    axe(page)
    two_factor.click()
    expect(page).to_have_url(re.compile("/accounts/2fa/"))
    assert_no_problems(page)


def test_staff_set_up_two_factor_straight_after_signing_in_and_continue(
    new_page, settings, doctor, axe, shots
):
    """With two-factor enforced, a doctor goes from the sign-in form to the set-up page (the
    password is not asked again), then to the recovery codes and on with Continue."""
    from accounts.tests.test_two_factor import totp

    settings.HMS_REQUIRE_MFA_FOR_STAFF = True
    page = new_page()
    sign_in_to(page, doctor.email)
    expect(page).to_have_url(re.compile("/accounts/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label(re.compile("Authenticator code")).fill(totp(secret))
    page.get_by_role("button", name="Activate").click()

    expect(page).to_have_url(re.compile("/accounts/2fa/recovery-codes/"))
    expect(page.get_by_role("list", name="Unused codes").get_by_role("listitem")).to_have_count(10)
    axe(page)
    shots(page, "recovery-codes")
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_text("Active: you are asked for a code")).to_be_visible()
    assert_no_problems(page)


def test_two_factor_page_explains_an_unconfirmed_address(new_page, patient, axe, shots):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=patient).update(verified=False)
    page = new_page()
    sign_in(page, patient.email)
    page.goto("/accounts/2fa/")

    expect(page.get_by_text("Confirm your e-mail address first.")).to_be_visible()
    axe(page)
    shots(page, "two-factor-unconfirmed-address")
    page.get_by_role("button", name=f"Send the link to {patient.email} again").click()
    expect(page.get_by_text(f"Confirmation email sent to {patient.email}")).to_be_visible()


FITS = """() => {
  const lines = (el) => {
    // The lines of the text people see (not .visually-hidden text for screen readers).
    const tops = new Set();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || node.parentElement.closest(".visually-hidden")) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) tops.add(Math.round(r.top));
    }
    return tops.size;
  };
  const buttons = [...document.querySelectorAll("main .btn")].filter((b) => b.offsetParent);
  return {
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    cut: buttons
      .filter((b) => b.scrollWidth > b.clientWidth || lines(b) > 1
                     || b.getBoundingClientRect().right > window.innerWidth)
      .map((b) => b.innerText),
    labels: buttons.map((b) => b.innerText.trim()),
  };
}"""


def fits_a_phone(page) -> dict:
    """No sideways scrolling, and every visible button on one line, whole, on the screen."""
    page.set_viewport_size(PHONE)
    result = page.evaluate(FITS)
    assert result["overflow"] <= 0, f"{page.url} is {result['overflow']} px too wide"
    assert not result["cut"], f"{page.url}: buttons cut or wrapped: {result['cut']}"
    return result


@pytest.fixture
def busy_day(doctor, patient, hospital_late_morning):
    """Today (it is 11:xx at the hospital): a visit at 09:00 not yet closed, three to come."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from clinic.tests.factories import PatientFactory
    from scheduling.tests.factories import AppointmentFactory

    today = timezone.localdate()
    others = [
        PatientFactory(user__first_name="Bartholomew", user__last_name="Featherstonehaugh-Smythe"),
        PatientFactory(user__first_name="Anne", user__last_name="Lee", allergies="Penicillin"),
        PatientFactory(user__first_name="Maximilian", user__last_name="Oppenheimer"),
    ]
    for hour, who in zip((9, 13, 14, 15), [patient.patient_profile, *others], strict=True):
        start = timezone.make_aware(datetime.combine(today, time(hour, 0)))
        AppointmentFactory(
            doctor=doctor.doctor_profile,
            patient=who,
            start=start,
            end=start + timedelta(minutes=30),
            reason="Follow-up of blood pressure and a long reason that goes on",
        )
    return doctor


def test_list_pages_fit_a_phone_with_whole_buttons(new_page, busy_day, hospital_admin, shots, axe):
    doctor = new_page()
    sign_in(doctor, busy_day.email)
    doctor.goto("/scheduling/today/")
    row = doctor.get_by_role("row").filter(has_text="Featherstonehaugh")
    labels = fits_a_phone(doctor)["labels"]
    for word in ("Check in", "Cancel", "Reschedule", "Complete visit…", "No-show"):
        assert word in labels, labels
    expect(row.get_by_role("button", name="Check in")).to_be_in_viewport()
    axe(doctor)
    shots(doctor, "today")
    for url in ("/scheduling/week/", "/records/my-patients/"):
        doctor.goto(url)
        fits_a_phone(doctor)

    staff = new_page()
    sign_in(staff, hospital_admin.email)
    staff.goto("/scheduling/appointments/")
    fits_a_phone(staff)
    filters = staff.locator("summary", has_text="Filters")
    expect(filters).to_be_in_viewport()
    expect(staff.get_by_label("Doctor")).to_be_hidden()  # behind the Filters button
    expect(staff.locator("main tbody tr").first).to_be_in_viewport()  # the list, not the form
    axe(staff)
    shots(staff, "staff-appointments")  # (leaves the page at desktop width)
    staff.set_viewport_size(PHONE)
    filters.click()
    expect(staff.get_by_label("Doctor")).to_be_visible()
    for url in (
        "/clinic/staff/doctors/",
        "/clinic/staff/patients/",
        "/clinic/departments/",
        "/records/all/",
        "/records/access-log/",
    ):
        staff.goto(url)
        fits_a_phone(staff)
        axe(staff)
    shots(staff, "access-log")
    staff.goto("/clinic/staff/doctors/")
    shots(staff, "doctor-list")
    assert_no_problems(staff)

    patient = new_page()
    sign_in(patient, busy_day_patient_email(busy_day))
    patient.goto("/scheduling/my/")
    fits_a_phone(patient)
    shots(patient, "my-appointments")


def busy_day_patient_email(doctor) -> str:
    from scheduling.models import Appointment

    last = Appointment.objects.filter(doctor__user=doctor).order_by("start").last()
    return last.patient.user.email
