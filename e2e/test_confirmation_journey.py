"""Journey 6: an admin removes a holiday and cancels appointments in bulk. Each destructive
action opens a confirmation page first (with and without JavaScript); only its button acts."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from accounts.tests.factories import admin_user
from clinic.tests.factories import DoctorFactory, PatientFactory
from e2e.conftest import DESKTOP
from e2e.helpers import assert_no_problems, field, sign_in
from scheduling import services
from scheduling.models import Appointment, Holiday

pytestmark = pytest.mark.postgres


def _booked_on(day, hour: int) -> Appointment:
    doctor = DoctorFactory()
    for weekday in range(7):
        doctor.working_hours.create(weekday=weekday, start="08:00", end="18:00")
    patient = PatientFactory()
    start = datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())
    return services.appointment_book(patient=patient, doctor=doctor, start=start, by=patient.user)


def test_admin_confirms_before_removing_a_holiday(new_page, shots, axe, hospital_late_morning):
    admin_user(email="admin@example.com")
    day = timezone.localdate() + timedelta(days=3)
    _booked_on(day, 10)
    Holiday.objects.create(date=day, name="Founders' Day")

    page = new_page()
    sign_in(page, "admin@example.com")
    page.goto("/scheduling/holidays/")
    page.get_by_role("link", name=re.compile("^Remove")).click()
    expect(page.get_by_role("heading", name="Remove holiday")).to_be_visible()
    expect(page.get_by_text("1 kept booking stays booked")).to_be_visible()
    axe(page)
    shots(page, "j6-remove-holiday-confirm")
    page.get_by_role("link", name="Keep holiday").click()
    assert Holiday.objects.filter(date=day).exists()

    page.get_by_role("link", name=re.compile("^Remove")).click()
    page.get_by_role("button", name="Remove holiday").click()
    expect(page.get_by_text("Holiday “Founders' Day” removed.")).to_be_visible()
    assert not Holiday.objects.exists()
    assert_no_problems(page)


def test_bulk_cancel_confirms_without_javascript(
    chromium, live_server, shots, hospital_late_morning
):
    admin_user(email="admin@example.com")
    appointment = _booked_on(timezone.localdate() + timedelta(days=2), 11)
    context = chromium.new_context(
        base_url=live_server.url, viewport=DESKTOP, java_script_enabled=False, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = []
    sign_in(page, "admin@example.com")
    page.goto("/scheduling/appointments/?when=upcoming")
    page.get_by_label(re.compile("^Select")).check()
    page.get_by_role("button", name="Cancel selected…").click()

    expect(page.get_by_role("heading", name="Cancel appointments")).to_be_visible()
    expect(page.get_by_text("Cancel 1 appointment and notify the patient?")).to_be_visible()
    field(page, "Reason (optional)").fill("Doctor unavailable")
    shots(page, "j6-bulk-cancel-confirm")  # axe needs scripts: the same template is checked above
    appointment.refresh_from_db()
    assert appointment.status == "booked"

    page.get_by_role("button", name="Cancel 1 appointment").click()
    expect(page.get_by_text("1 appointment cancelled")).to_be_visible()
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == ("cancelled", "Doctor unavailable")
    context.close()


def test_admin_pages_changed_for_their_readers(
    new_page, shots, axe, hospital_late_morning, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path)
    admin_user(email="admin@example.com")
    appointment = _booked_on(timezone.localdate() + timedelta(days=2), 11)
    DoctorFactory(department=appointment.doctor.department, status="pending")
    page = new_page()
    sign_in(page, "admin@example.com")

    page.goto(f"/clinic/staff/doctors/{appointment.doctor_id}/block/")
    link = page.get_by_role("link", name="the appointment list of this doctor")
    expect(link).to_be_visible()
    axe(page)
    shots(page, "j6-block-doctor-confirm")

    page.goto("/clinic/departments/")
    expect(page.get_by_text("+1 pending or blocked")).to_be_visible()
    axe(page)
    shots(page, "j6-department-counts")

    page.goto("/clinic/staff/doctors/new/")
    png = tmp_path / "face.png"
    Image.new("RGB", (64, 64), "teal").save(png, "PNG")
    field(page, "Photo").set_input_files(str(png))
    page.get_by_role("button", name="Create and invite").click()
    expect(page.get_by_text("Kept: face.png")).to_be_visible()
    axe(page)
    shots(page, "j6-new-doctor-photo-kept")
    assert_no_problems(page)
