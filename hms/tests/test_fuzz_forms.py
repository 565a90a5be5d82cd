"""Hypothesis-driven input to every form people type into, through the real pages.

Whatever is sent: never a 500 (the test client re-raises any server error), never a stored
script (what is saved is shown escaped), never an overlapping booking (checked after every
attempt with one query over all active appointments).
"""

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from clinic.models import Patient
from records.models import VisitRecord
from records.tests.conftest import RECORD
from scheduling.models import Appointment, Holiday, Leave, WorkingHours
from scheduling.tests.conftest import next_weekday_slot
from scheduling.tests.conftest import open_doctor as open_doctor  # a fixture
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same inputs on every run: CI failures reproduce
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SCRIPT = "<script>alert(1)</script>"
# Text as people (and attackers) type it: any characters, markup, NULs and other control
# characters (which PostgreSQL refuses or no person means), very long strings.
controls = st.text(st.characters(categories=["Cc"]), min_size=1, max_size=4)
text = st.one_of(
    st.text(max_size=40),
    st.builds(lambda a, c, b: a + c + b, st.text(max_size=8), controls, st.text(max_size=8)),
    st.sampled_from(
        [SCRIPT, '"><img src=x onerror=alert(1)>', "\x00", "' OR 1=1 --", "²", "", "x" * 5000]
    ),
    st.builds(lambda a, b: a + SCRIPT + b, st.text(max_size=10), st.text(max_size=10)),
)
number = st.one_of(
    text, st.integers(-(10**12), 10**12).map(str), st.floats(allow_nan=True).map(str)
)
day = st.one_of(text, st.dates().map(str), st.dates().map(lambda d: d.strftime("%d/%m/%Y")))
clock = st.one_of(text, st.times().map(lambda t: t.strftime("%H:%M")))


PROFILE = {
    "first_name": "Ravi", "last_name": "Kumar", "gender": "male", "date_of_birth": "1979-03-02",
    "phone": "07911 123456", "address": "12 Elm Road", "emergency_contact_name": "Anita Kumar",
    "emergency_contact_phone": "+44 7911 123457", "blood_group": "B+", "height_cm": "172",
    "weight_kg": "80.5", "allergies": "Penicillin", "chronic_conditions": "", "has_disability": "",
    "disability_notes": "",
}  # fmt: skip
VISITS = itertools.count(1)
VITALS = ("bp_systolic", "bp_diastolic", "pulse", "temperature_c", "spo2", "weight_kg")


def assert_escaped(client, url):
    page = client.get(url).content.decode()
    assert SCRIPT not in page and "<img src=x" not in page


def assert_no_overlaps():
    active = list(
        Appointment.objects.occupying()
        .order_by("start")
        .values_list("doctor", "patient", "start", "end")
    )
    for i, (doctor, patient, _start, end) in enumerate(active):
        for other in active[i + 1 :]:
            if other[2] >= end:
                break
            assert doctor != other[0] and patient != other[1], "overlapping booking"


def valid_or_fuzzed(valid: dict, fuzz=None) -> st.SearchStrategy[dict]:
    """Each field either keeps its valid value or gets fuzzed: most examples then fail on one or
    two fields (so each field's validation is reached), and some are saved (and displayed)."""
    return st.fixed_dictionaries(
        {
            name: st.one_of(st.just(value), (fuzz or {}).get(name, text))
            for name, value in valid.items()
        }
    )


@FUZZ
@given(
    data=valid_or_fuzzed(PROFILE, {"date_of_birth": day, "height_cm": number, "weight_kg": number})
)
def test_patient_profile_form(client, patient, data):
    client.force_login(patient)

    response = client.post(reverse("clinic:my-profile"), data)

    assert response.status_code in (200, 302)
    event(f"answered {response.status_code}")
    assert_escaped(client, reverse("clinic:my-profile"))
    stored = Patient.objects.get(pk=patient.patient_profile.pk)
    assert "\x00" not in (stored.allergies + stored.address)


@FUZZ
@given(
    slot_key=st.one_of(text, st.integers(0, 40).map(lambda n: f"slot:{n}")),
    reason=text,
    as_other=st.booleans(),
)
def test_booking_form(client, patient, other_patient, open_doctor, slot_key, reason, as_other):
    day = timezone.localdate() + timedelta(days=2)
    if slot_key.startswith("slot:"):  # a real offered slot (maybe taken already)
        start = next_weekday_slot(9) + timedelta(minutes=30 * (int(slot_key[5:]) % 16))
        slot_key = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    client.force_login(other_patient if as_other else patient)

    response = client.post(
        reverse("scheduling:book", args=[open_doctor.pk]),
        {"slot": slot_key, "reason": reason, "date": day.isoformat()},
    )

    assert response.status_code in (200, 302)
    event(f"answered {response.status_code}")
    assert_no_overlaps()
    if response.status_code == 302 and "/appointments/" in response.url:
        assert_escaped(client, response.url)


@FUZZ
@given(
    fields=valid_or_fuzzed(
        {k: v for k, v in RECORD.items() if not k.startswith("rx-") or k[3].isdigit()}
        | {"rx-TOTAL_FORMS": "2"},
        dict.fromkeys(VITALS, number)
        | {"follow_up_on": day, "rx-TOTAL_FORMS": st.sampled_from(["1", "0", "-1", "1001", "x"])},
    )
)
def test_visit_record_form(client, doctor, patient, fields):
    # A new visit per example, each an hour earlier, so that visits never overlap.
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=next(VISITS))
    visit = AppointmentFactory(
        doctor=doctor.doctor_profile,
        patient=patient.patient_profile,
        start=start,
        status=Appointment.Status.CHECKED_IN,
    )
    client.force_login(doctor)
    data = {"rx-INITIAL_FORMS": "0", "rx-MIN_NUM_FORMS": "0", "rx-MAX_NUM_FORMS": "30", **fields}

    response = client.post(reverse("records:complete-visit", args=[visit.pk]), data)

    assert response.status_code in (200, 302)
    record = VisitRecord.objects.filter(appointment=visit).first()
    event("saved" if record else "refused")
    if record:
        assert response.status_code == 302
        assert_escaped(client, reverse("records:record-detail", args=[record.pk]))
    else:  # nothing half-saved: the visit is still open
        visit.refresh_from_db()
        assert visit.status == Appointment.Status.CHECKED_IN


@FUZZ
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {"weekday": st.one_of(text, st.integers(-2, 9).map(str)), "start": clock, "end": clock}
        ),
        max_size=3,
    ),
    leave=st.fixed_dictionaries({"start": day, "end": day, "reason": text}),
)
def test_availability_forms(client, doctor, rows, leave):
    client.force_login(doctor)
    data = {"hours-TOTAL_FORMS": str(len(rows)), "hours-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data |= {f"hours-{i}-{k}": v for k, v in row.items()}

    response = client.post(reverse("scheduling:availability"), data)
    assert response.status_code in (200, 302)
    for hours in WorkingHours.objects.filter(doctor=doctor.doctor_profile):
        assert hours.start < hours.end and 0 <= hours.weekday <= 6

    response = client.post(reverse("scheduling:leave-add"), leave)
    assert response.status_code in (200, 302)
    for item in Leave.objects.filter(doctor=doctor.doctor_profile):
        assert item.start < item.end
    assert_escaped(client, reverse("scheduling:availability"))


@FUZZ
@given(date=day, name=text)
def test_holiday_form(client, hospital_admin, date, name):
    client.force_login(hospital_admin)

    response = client.post(reverse("scheduling:holidays"), {"date": date, "name": name})

    assert response.status_code in (200, 302)
    assert_escaped(client, reverse("scheduling:holidays"))
    assert all(h.name.strip() for h in Holiday.objects.all())


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {"first_name": text, "last_name": text, "email": text, "password1": text, "password2": text}
    )
)
def test_signup_form(client, settings, data):
    # Sign-up is rate limited per address (429), which would end the fuzzing after 20 examples;
    # the limits are tested in accounts/tests.
    settings.ACCOUNT_RATE_LIMITS = False
    response = client.post(reverse("account_signup"), data)

    assert response.status_code in (200, 302)
    client.logout()
