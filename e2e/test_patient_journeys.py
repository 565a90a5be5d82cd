"""Journeys 1–3: a new patient books, the doctor completes the visit, the patient takes it home.

One story in one test, because each journey starts where the previous one ended (the booking the
doctor sees is the one the patient made; the history the patient downloads is the visit the
doctor wrote). Each part opens its own browser context, as a different person on another device.
"""

import csv
import io
import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import Doctor
from clinic.tests.factories import DepartmentFactory, PatientFactory
from e2e.conftest import DESKTOP
from e2e.helpers import assert_no_problems, field, menu, sign_in
from scheduling.models import Appointment
from scheduling.tests.factories import doctor_with_hours

pytestmark = pytest.mark.postgres

DIAGNOSIS = "Stable angina pectoris"
FIRST_REASON = "Palpitations at night"


@pytest.fixture
def cardiologist(hospital_late_morning):
    DepartmentFactory(name="Dermatology")
    doctor_with_hours(
        department=DepartmentFactory(name="Cardiology"),
        specialization="Heart rhythm",
        start=time(8, 0),
        end=time(18, 0),
        user__first_name="Grace",
        user__last_name="Hopper",
        user__email="grace.hopper@example.com",
    )
    # A doctor of another department, who must not be listed under Cardiology.
    doctor_with_hours(
        department=DepartmentFactory(name="Dermatology"),
        user__first_name="Ada",
        user__last_name="Lovelace",
    )
    return "grace.hopper@example.com"


def day_button(page, day):
    """The date-strip button of `day` in the slot picker."""
    return page.get_by_role("navigation", name="Dates").locator(f'button[value="{day:%Y-%m-%d}"]')


def show_day(page, day) -> None:
    """Click the day's button and wait until htmx has swapped the day's times in (clicking a
    time of the old list meanwhile would be lost in the swap)."""
    day_button(page, day).click()
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def pick_first_free_time(page, day) -> str:
    show_day(page, day)
    expect(page.get_by_role("group", name=re.compile(f"Free times on .*{day.day}"))).to_be_visible()
    first = page.locator(".slot-grid label").first
    chosen = first.inner_text().strip()
    first.click()
    return chosen


def test_patient_books_doctor_completes_visit_patient_downloads_history(
    new_page, shots, axe, cardiologist, tmp_path
):
    today = timezone.localdate()
    tomorrow, in_two_days = today + timedelta(days=1), today + timedelta(days=2)

    # --- Journey 1: sign up, complete the profile, find a doctor, book, move, cancel, rebook ---
    page = new_page()
    page.goto("/accounts/login/")
    axe(page)
    shots(page, "j1-login")
    page.get_by_role("link", name="Register as a patient").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/"))
    axe(page)
    shots(page, "j1-signup")
    field(page, "First name").fill("Mary")
    field(page, "Last name").fill("Seacole")
    field(page, "Email").fill("mary.seacole@example.com")
    field(page, "Password").fill("Crimea-1854-kettle")
    field(page, "Password (again)").fill("Crimea-1854-kettle")
    page.get_by_role("button", name=re.compile("^Sign up$", re.IGNORECASE)).click()

    expect(page).to_have_url(re.compile(r"/clinic/profile/"))
    shots(page, "j1-profile-empty")
    field(page, "Gender").select_option(label="Female")
    field(page, "Date of birth").fill("1990-11-23")
    field(page, "Phone").fill("+44 20 7946 0123")
    field(page, "Allergies").fill("Penicillin")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_text("Your profile was saved.")).to_be_visible()
    shots(page, "j1-profile-saved")

    page.goto("/clinic/doctors/")
    page.get_by_role("navigation", name="Departments").get_by_role(
        "link", name=re.compile("Cardiology")
    ).click()
    expect(page.get_by_text("1 doctor in Cardiology")).to_be_visible()
    expect(page.get_by_text("Ada Lovelace")).to_have_count(0)
    shots(page, "j1-directory-cardiology")
    # A search inside the department that finds nothing there points to the other departments.
    page.get_by_role("searchbox", name="Search doctors").fill("Lovelace")
    page.get_by_role("button", name="Search").click()
    expect(
        page.get_by_text("No doctors in Cardiology match “Lovelace”. 1 doctor matches in all")
    ).to_be_visible()
    axe(page)
    shots(page, "j1-directory-search-hint")
    page.get_by_role("link", name="Search all departments").click()
    expect(page.get_by_text("Ada Lovelace")).to_be_visible()
    page.go_back()
    page.go_back()
    expect(page.get_by_text("1 doctor in Cardiology")).to_be_visible()
    page.get_by_role("link", name="Book").click()

    expect(page.get_by_role("heading", name="Book an appointment")).to_be_visible()
    # The reason is typed first; switching the date (with the keyboard) keeps it, and focus
    # lands on the new day's times, announced politely, so the slot is picked from there.
    reason = page.get_by_label(re.compile("Reason"))
    reason.fill(FIRST_REASON)
    day_button(page, tomorrow).focus()
    page.keyboard.press("Enter")
    slot_list = page.locator("#slot-list")
    expect(slot_list).to_be_focused()
    expect(page).to_have_url(re.compile(rf"\?date={tomorrow:%Y-%m-%d}$"))
    expect(page.locator("#picker-status")).to_have_text(
        re.compile(rf"^\d+ free times? on {tomorrow:%A} {tomorrow.day} {tomorrow:%B}$")
    )
    expect(reason).to_have_value(FIRST_REASON)
    page.keyboard.press("Tab")
    first_slot = slot_list.locator("input[type=radio]").first
    expect(first_slot).to_be_focused()
    page.keyboard.press("Space")
    expect(first_slot).to_be_checked()
    first_time = slot_list.locator("label").first.inner_text().strip()
    axe(page)
    shots(page, "j1-slot-picker")
    page.keyboard.press("Enter")  # on the chosen time: books (not the first date button)
    expect(page.get_by_role("heading", name="Appointment")).to_be_visible()
    booked_at = f"{tomorrow:%A} {tomorrow.day} {tomorrow:%B %Y}, {first_time}"
    expect(page.get_by_text(booked_at)).to_have_count(2)  # header and details
    expect(page.get_by_text(FIRST_REASON)).to_be_visible()
    assert Appointment.objects.get().reason == FIRST_REASON
    shots(page, "j1-booked")

    page.get_by_role("link", name="Reschedule").click()
    new_time = pick_first_free_time(page, in_two_days)
    shots(page, "j1-reschedule")
    page.get_by_role("button", name="Move my appointment").click()
    expect(page.get_by_text("Moved from")).to_be_visible()
    moved_to = f"{in_two_days.day} {in_two_days:%B %Y}, {new_time}"
    expect(page.get_by_text(moved_to).first).to_be_visible()
    shots(page, "j1-rescheduled")

    # The old time is listed as moved, with a link to the new one (not as "Cancelled").
    menu(page, "My appointments").click()
    moved = page.get_by_role("link", name=f"Moved to {in_two_days:%a} {in_two_days.day} ")
    expect(moved).to_contain_text(new_time)
    expect(page.locator(".badge", has_text="Cancelled")).to_have_count(0)
    axe(page)
    shots(page, "j1-my-appointments-moved")
    old_time = f"{tomorrow:%a} {tomorrow.day} {tomorrow:%b %Y}, {first_time}"
    page.get_by_role("link", name=old_time).click()
    expect(page.locator("dt", has_text="Moved to")).to_be_visible()
    axe(page)
    shots(page, "j1-old-appointment-moved")
    moved.click()
    expect(page.get_by_text("Moved from")).to_be_visible()

    page.get_by_role("link", name="Cancel").click()
    field(page, "Reason (optional)").fill("Feeling better")
    shots(page, "j1-cancel")
    page.get_by_role("button", name="Cancel appointment").click()
    expect(page.get_by_text("The appointment was cancelled")).to_be_visible()
    shots(page, "j1-cancelled")

    page.goto("/clinic/doctors/")
    page.get_by_role("link", name="Book").first.click()
    today_time = pick_first_free_time(page, today)
    page.get_by_label(re.compile("Reason")).fill("Chest pain when climbing stairs")
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="Appointment")).to_be_visible()
    shots(page, "j1-booked-today")
    statuses = list(Appointment.objects.order_by("start").values_list("status", flat=True))
    assert statuses == ["booked", "cancelled", "cancelled"], statuses
    assert_no_problems(page)

    # --- Journey 2: the doctor checks the patient in and completes the visit ----------------
    doctor = new_page()
    sign_in(doctor, cardiologist)
    menu(doctor, "Today").click()
    expect(doctor.get_by_role("heading", name="Today")).to_be_visible()
    row = doctor.get_by_role("row").filter(has_text="Mary Seacole")
    expect(row).to_contain_text(today_time)
    expect(row).to_contain_text("Chest pain")
    shots(doctor, "j2-today")
    row.get_by_role("button", name="Check in").click()
    expect(doctor.get_by_text("Mary Seacole is checked in.")).to_be_visible()
    shots(doctor, "j2-checked-in")
    row.get_by_role("link", name="Complete visit…").click()

    expect(doctor.get_by_role("heading", name="Complete visit")).to_be_visible()
    expect(doctor.get_by_text("Allergies: Penicillin")).to_be_visible()
    field(doctor, "Chief complaint").fill("Chest pain on exertion for two weeks")
    field(doctor, "Diagnosis").fill(DIAGNOSIS)
    lines = doctor.locator(".rx-row")
    expect(lines).to_have_count(2)
    expect(lines.nth(0).locator("label", has_text="Medicine")).to_have_text("Medicine")
    # Three medicines: the third line is added in place, then the doctor drops the second one.
    doctor.get_by_role("button", name="Add a line").click()
    expect(lines).to_have_count(3)
    expect(field(lines.nth(2), "Medicine")).to_be_focused()
    for n, (medicine, dose, frequency, duration) in enumerate(
        [
            ("Aspirin", "75 mg", "Once daily", "3 months"),
            ("Ibuprofen", "400 mg", "Three times daily", "5 days"),
            ("GTN spray", "400 mcg", "As needed", ""),
        ]
    ):
        field(lines.nth(n), "Medicine").fill(medicine)
        field(lines.nth(n), "Dose").fill(dose)
        field(lines.nth(n), "Frequency").fill(frequency)
        field(lines.nth(n), "Duration").fill(duration)
    # A line with content marks what it needs (the blank lines marked nothing).
    expect(lines.nth(2).locator("label", has_text="Medicine")).to_have_text("Medicine*")
    expect(lines.nth(2).locator("label", has_text="Duration")).to_have_text("Duration")
    axe(doctor)
    shots(doctor, "j2-visit-form-3-lines")
    lines.nth(1).get_by_label("Remove").check()
    expect(lines.nth(1)).to_have_class(re.compile("line-removed"))
    shots(doctor, "j2-visit-form-line-removed")
    doctor.get_by_role("button", name="Complete visit").click()
    expect(doctor.get_by_text(DIAGNOSIS).first).to_be_visible()
    shots(doctor, "j2-visit-record")
    visit = Appointment.objects.get(status="completed").visit_record
    assert visit.diagnosis == DIAGNOSIS
    medicines = sorted(visit.prescriptions.values_list("medicine", flat=True))
    assert medicines == ["Aspirin", "GTN spray"]
    assert visit.appointment.start > timezone.now()  # completed before its start time

    # The doctor corrects a line with a reason; the versions show that change and nothing else.
    doctor.get_by_role("link", name=re.compile("Edit")).click()
    field(lines.nth(0), "Duration").fill("6 months")
    field(doctor, "Reason for the change").fill("Review moved to six months")
    shots(doctor, "j2-visit-edit")
    doctor.get_by_role("button", name="Save record").click()
    doctor.get_by_role("link", name=re.compile("Versions")).click()
    newest = doctor.locator(".list-group-item").first
    expect(newest).to_contain_text("Reason for the change: Review moved to six months")
    expect(newest).to_contain_text("3 months → 6 months")
    expect(newest).not_to_contain_text("GTN spray")
    axe(doctor)
    shots(doctor, "j2-visit-versions")
    assert_no_problems(doctor)

    # The visit was completed before its time: that time stays taken for everyone else.
    page.goto("/clinic/doctors/")
    page.get_by_role("navigation", name="Departments").get_by_role(
        "link", name=re.compile("Cardiology")
    ).click()
    page.get_by_role("link", name="Book").click()
    show_day(page, today)
    expect(
        page.get_by_role("group", name=re.compile(f"Free times on .*{today.day}"))
    ).to_be_visible()
    expect(page.locator(".slot-grid label").filter(has_text=today_time)).to_have_count(0)
    shots(page, "j2-completed-time-not-offered")

    # --- Journey 3: the patient reads the visit and takes the history home ------------------
    menu(page, "My records").click()
    expect(page.get_by_role("heading", name="My medical history")).to_be_visible()
    expect(page.get_by_text(DIAGNOSIS)).to_be_visible()
    prescription = "Aspirin 75 mg (Once daily); GTN spray 400 mcg (As needed)"
    expect(page.get_by_text(prescription)).to_be_visible()
    axe(page)
    shots(page, "j3-history")

    with page.expect_download() as pdf:
        page.get_by_role("link", name="PDF").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    assert pdf.value.path().read_bytes().startswith(b"%PDF")
    with page.expect_download() as sheet:
        page.get_by_role("link", name="CSV").click()
    assert sheet.value.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(sheet.value.path().read_text(encoding="utf-8-sig"))))
    assert [row_["Diagnosis"] for row_ in rows] == [DIAGNOSIS], rows

    page.get_by_role("link", name=re.compile(r"\d{4} · Dr Grace Hopper")).click()
    expect(page.get_by_text("GTN spray")).to_be_visible()
    shots(page, "j3-record")
    assert_no_problems(page)


def test_without_javascript_the_reason_survives_a_date_switch(
    chromium, live_server, shots, cardiologist
):
    patient = PatientFactory(user__email="no.script@example.com").user
    doctor = Doctor.objects.get(user__email=cardiologist)
    tomorrow = timezone.localdate() + timedelta(days=1)
    context = chromium.new_context(
        base_url=live_server.url, viewport=DESKTOP, locale="en-GB", java_script_enabled=False
    )
    try:
        page = context.new_page()
        sign_in(page, patient.email)
        page.goto(f"/scheduling/book/{doctor.pk}/")
        reason = page.get_by_label(re.compile("Reason"))
        reason.fill(FIRST_REASON)
        day_button(page, tomorrow).click()  # submits the form: the page is drawn again
        expect(
            page.get_by_role(
                "group", name=f"Free times on {tomorrow:%A} {tomorrow.day} {tomorrow:%B}"
            )
        ).to_be_visible()
        expect(page.locator("#slot-list")).to_be_focused()
        expect(reason).to_have_value(FIRST_REASON)
        shots(page, "no-js-picker-after-date-switch")
        page.locator("#slot-list label").first.click()
        page.get_by_role("button", name="Confirm booking").click()
        expect(page.get_by_text(FIRST_REASON)).to_be_visible()
        assert Appointment.objects.get().reason == FIRST_REASON

        # A second visit to the same doctor that day is booked only once confirmed.
        page.goto(f"/scheduling/book/{doctor.pk}/")
        day_button(page, tomorrow).click()
        page.locator("#slot-list label").nth(2).click()
        page.get_by_role("button", name="Confirm booking").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "You already have an appointment with Dr Grace Hopper at"
        )
        assert Appointment.objects.count() == 1
        shots(page, "no-js-same-day-question")
        page.get_by_role("button", name="Yes, book another").click()
        expect(page.get_by_role("heading", name="Appointment")).to_be_visible()
        assert Appointment.objects.count() == 2
    finally:
        context.close()


def test_doctor_adds_prescription_lines_without_javascript(
    chromium, live_server, shots, hospital_late_morning
):
    """The same form with JavaScript off: "Add a line" posts the form, which comes back as
    typed with one more line; Enter still completes the visit (not "Add a line")."""
    from clinic.tests.factories import DoctorFactory, PatientFactory

    doctor = DoctorFactory(user__email="no.script@example.com")
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=30)
    visit = Appointment.objects.create(
        doctor=doctor,
        patient=PatientFactory(),
        start=start,
        end=start + timedelta(minutes=30),
        status=Appointment.Status.CHECKED_IN,
    )
    context = chromium.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = []
    sign_in(page, "no.script@example.com")
    page.goto(f"/records/appointments/{visit.pk}/complete/")
    lines = page.locator(".rx-row")
    expect(lines).to_have_count(2)
    field(page, "Chief complaint").fill("Cough for a week")
    field(lines.nth(0), "Medicine").fill("Amoxicillin")

    page.get_by_role("button", name="Add a line").click()

    expect(lines).to_have_count(3)
    expect(page).to_have_url(re.compile("#prescription$"))  # back where the doctor was
    expect(field(page, "Chief complaint")).to_have_value("Cough for a week")
    expect(field(lines.nth(0), "Medicine")).to_have_value("Amoxicillin")
    expect(page.get_by_text("This field is required")).to_have_count(0)
    expect(lines.nth(0).locator("label", has_text="Medicine")).to_have_text("Medicine*")
    expect(lines.nth(2).locator("label", has_text="Medicine")).to_have_text("Medicine")
    # (axe cannot run here: it needs the page's scripts; the journey above checks this form.)
    shots(page, "no-script-visit-form-3-lines")
    field(page, "Diagnosis").fill("Acute bronchitis")
    for n, (medicine, dose, frequency) in enumerate(
        [
            ("Amoxicillin", "500 mg", "Three times daily"),
            ("", "", ""),
            ("Salbutamol", "100 mcg", "As needed"),
        ]
    ):
        field(lines.nth(n), "Medicine").fill(medicine)
        field(lines.nth(n), "Dose").fill(dose)
        field(lines.nth(n), "Frequency").fill(frequency)
    field(lines.nth(2), "Frequency").press("Enter")

    expect(page).to_have_url(re.compile(r"/records/\d+/$"))
    expect(page.get_by_text("Acute bronchitis").first).to_be_visible()
    record = Appointment.objects.get(pk=visit.pk).visit_record
    assert list(record.prescriptions.values_list("medicine", flat=True)) == [
        "Amoxicillin",
        "Salbutamol",
    ]
    context.close()
