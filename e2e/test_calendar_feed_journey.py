"""Journey: a patient turns on their calendar feed, copies the address (shown once), a calendar
app fetches it, then they make a new address and turn the feed off; a doctor's page offers the
reason option."""

import re
from datetime import timedelta

import icalendar
from django.utils import timezone
from playwright.sync_api import expect

from clinic.tests.factories import DoctorFactory, PatientFactory
from e2e.helpers import assert_no_problems, sign_in
from scheduling.models import Appointment

SHOWN_ONCE = "Copy your address now: it is shown only this once."


def test_patient_subscribes_then_replaces_and_turns_off_the_feed(
    new_page, shots, axe, live_server, settings
):
    settings.HMS_BASE_URL = live_server.url
    doctor = DoctorFactory(user__last_name="Lister", department__name="Cardiology")
    patient = PatientFactory(user__email="feed.patient@example.com")
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=2)
    Appointment.objects.create(
        doctor=doctor, patient=patient, start=start, end=start + timedelta(minutes=30)
    )

    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "feed.patient@example.com")
    page.goto("/clinic/profile/")
    page.get_by_role("link", name="Calendar subscription").last.click()
    expect(page.get_by_role("heading", name="Calendar subscription")).to_be_visible()
    axe(page)
    shots(page, "feed-off", fits=True)

    page.get_by_role("button", name="Turn on the calendar feed").click()
    expect(page.get_by_text(SHOWN_ONCE)).to_be_visible()
    address = page.get_by_label("For Google Calendar (“From URL”)").input_value()
    assert page.get_by_label("For Apple Calendar and Outlook").input_value().startswith("webcal://")
    page.get_by_role("button", name="Copy").last.click()
    expect(page.locator("#feed-copy-status")).to_contain_text(re.compile("Copied|Selected"))
    axe(page)
    shots(page, "feed-address-once", fits=True)

    feed = page.request.get(address)  # what a calendar app gets
    assert feed.status == 200
    events = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [f"Appointment with {doctor.display_name}"]

    page.reload()
    expect(page.get_by_text(SHOWN_ONCE)).to_have_count(0)
    expect(page.get_by_text("not fetched yet")).to_have_count(0)  # the fetch above is noted
    shots(page, "feed-on", fits=True)

    page.get_by_role("link", name="Make a new address…").click()
    expect(page.get_by_text("Make a new address for your calendar feed?")).to_be_visible()
    shots(page, "feed-new-address-confirm")
    page.get_by_role("button", name="Make a new address").click()
    expect(page.get_by_text(SHOWN_ONCE)).to_be_visible()
    assert page.request.get(address).status == 404

    page.get_by_role("link", name="Turn off…").click()
    page.get_by_role("button", name="Turn off").click()
    expect(
        page.get_by_text("Your calendar feed is off. Its address no longer works.")
    ).to_be_visible()
    assert_no_problems(page)


def test_doctor_sees_the_reason_option(new_page, shots, axe):
    DoctorFactory(user__email="feed.doctor@example.com")
    page = new_page()
    sign_in(page, "feed.doctor@example.com")
    page.goto("/scheduling/calendar-feed/")
    page.get_by_label("Show the reason for the visit in my calendar").check()
    page.get_by_role("button", name="Save options").click()
    expect(
        page.get_by_text("Saved: your calendar feed shows the reason for each visit.")
    ).to_be_visible()
    axe(page)
    shots(page, "feed-doctor-options", fits=True)
    assert_no_problems(page)
