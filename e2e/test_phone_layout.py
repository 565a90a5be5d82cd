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
