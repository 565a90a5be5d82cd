"""Small steps shared by the journeys."""

import re

from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD


def field(page: Page, label: str):
    """The form field labelled exactly `label` (crispy adds a '*' to required fields)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def menu(page: Page, name: str):
    """A link of the main navigation (opening the collapsed menu on a phone is not needed here:
    journeys run at desktop width and only the screenshots are taken at phone width)."""
    return page.get_by_role("navigation", name="Main navigation").get_by_role("link", name=name)


def sign_in(
    page: Page, email: str, password: str = PASSWORD, *, axe=None, lands_on: str = r"/dashboard/"
) -> None:
    page.goto("/accounts/login/")
    if axe:
        axe(page)
    field(page, "Email").fill(email)
    field(page, "Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(lands_on))


def sign_out(page: Page) -> None:
    page.context.clear_cookies()


def assert_no_problems(page: Page) -> None:
    """No uncaught script error and no Content-Security-Policy refusal on any page so far."""
    assert not page.problems, "\n".join(page.problems)
