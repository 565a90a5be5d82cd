"""One access matrix for the whole site, generated from the URL configuration.

Every URL pattern of the HMS apps x every role x GET and POST has an expected outcome below; a new
URL without one fails `test_every_url_has_expectations`. Objects belong to `patient` and `doctor`;
`colleague` is another doctor who also saw the patient; `other_*` have nothing to do with them.

Outcomes: an HTTP status, or "L" for "sent to the sign-in page". A POST is sent with no data
(and a valid CSRF token), so a form view answers 200 with its errors and saves nothing.
"""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from clinic.tests.factories import DepartmentFactory, DoctorFactory
from records.models import Export, VisitRecord
from records.tests.factories import VisitRecordFactory
from scheduling import services
from scheduling.models import (
    Appointment,
    Holiday,
    Leave,
    SlotOverride,
    WaitlistEntry,
    WaitlistOffer,
    WorkingHours,
)
from scheduling.tests.conftest import next_weekday_slot
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "patient",
    "other_patient",
    "doctor",
    "colleague",
    "other_doctor",
    "hospital_admin",
    "front_desk",
]
APPS = ("reports", "clinic", "scheduling", "records")
# Third-party URL sets, tested elsewhere: allauth's account pages (accounts/tests) and Django's
# admin (hms/tests/test_admin.py: staff flag and superuser only).
NOT_OURS = ("admin:", "account_", "mfa_")

# name: (object key, GET outcomes by role, POST outcomes by role), roles in the order of ROLES.
# fmt: off
MATRIX = {
    # name                                 object key                 GET: anon, patient, other patient, doctor, colleague, other doctor, admin, front desk; then POST
    "bench-hello":                         (None,                    "404 404 404 404 404 404 404 404", "404 404 404 404 404 404 404 404"),
    "clinic:department-create":            (None,                    "  L 403 403 403 403 403 200 403", "  L 403 403 403 403 403 200 403"),
    "clinic:department-delete":            ('department',            "  L 403 403 403 403 403 200 403", "  L 403 403 403 403 403 302 403"),
    "clinic:department-edit":              ('department',            "  L 403 403 403 403 403 200 403", "  L 403 403 403 403 403 200 403"),
    "clinic:department-list":              (None,                    "  L 403 403 403 403 403 200 403", "  L 405 405 405 405 405 405 405"),
    "clinic:department-toggle":            ('department',            "  L 403 403 403 403 403 200 403", "  L 403 403 403 403 403 302 403"),
    "clinic:directory":                    (None,                    "  L 200 200 200 200 200 200 200", "  L 405 405 405 405 405 405 405"),
    "clinic:directory-doctor":             ('doctor',                "  L 200 200 200 200 200 200 200", "  L 405 405 405 405 405 405 405"),
    "clinic:doctor-action":                ('doctor-block',          "  L 403 403 403 403 403 200 403", "  L 403 403 403 403 403 302 403"),
    "clinic:doctor-create":                (None,                    "  L 403 403 403 403 403 200 403", "  L 403 403 403 403 403 200 403"),
    "clinic:doctor-detail":                ('doctor',                "  L 403 403 403 403 403 200 403", "  L 405 405 405 405 405 405 405"),
    "clinic:doctor-edit":                  ('doctor',                "  L 403 403 403 403 403 200 403", "  L 403 403 403 403 403 200 403"),
    "clinic:doctor-list":                  (None,                    "  L 403 403 403 403 403 200 403", "  L 405 405 405 405 405 405 405"),
    "clinic:doctor-photo":                 ('doctor',                "  L 404 404 404 404 404 404 404", "  L 405 405 405 405 405 405 405"),
    "clinic:my-profile":                   (None,                    "  L 200 200 200 200 200 403 403", "  L 200 200 200 200 200 403 403"),
    "clinic:patient-create":               (None,                    "  L 403 403 403 403 403 200 200", "  L 403 403 403 403 403 200 200"),
    "clinic:patient-detail":               ('patient',               "  L 403 403 403 403 403 200 200", "  L 405 405 405 405 405 405 405"),
    "clinic:patient-edit":                 ('patient',               "  L 403 403 403 403 403 200 200", "  L 403 403 403 403 403 200 200"),
    "clinic:patient-email":                ('patient',               "  L 405 405 405 405 405 405 405", "  L 403 403 403 403 403 302 302"),
    "clinic:patient-list":                 (None,                    "  L 403 403 403 403 403 200 200", "  L 405 405 405 405 405 405 405"),
    "clinic:patient-toggle":               ('patient',               "  L 403 403 403 403 403 200 200", "  L 403 403 403 403 403 302 302"),
    "healthz":                             (None,                    "200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "home":                                (None,                    "200 302 302 302 302 302 302 302", "405 405 405 405 405 405 405 405"),
    "records:access-log":                  (None,                    "  L 200 200 403 403 403 200 403", "  L 405 405 405 405 405 405 405"),
    "records:complete-visit":              ('visit',                 "  L 404 404 200 404 404 404 404", "  L 404 404 200 404 404 404 404"),
    "records:email-records":               ('patient',               "  L 405 405 405 405 405 405 405", "  L 302 404 404 404 404 302 404"),
    "records:export-detail":               ('export',                "  L 200 404 404 404 404 200 404", "  L 405 405 405 405 405 405 405"),
    "records:export-download":             ('export',                "  L 404 404 404 404 404 404 404", "  L 405 405 405 405 405 405 405"),
    "records:export-start":                ('patient',               "  L 405 405 405 405 405 405 405", "  L 302 404 404 404 404 302 404"),
    "records:fhir-export-start":           ('patient',               "  L 405 405 405 405 405 405 405", "  L 302 404 302 302 404 302 404"),
    "records:history-csv":                 ('patient',               "  L 200 404 404 404 404 200 404", "  L 405 405 405 405 405 405 405"),
    "records:history-fhir":                ('patient',               "  L 200 404 200 200 404 200 404", "  L 405 405 405 405 405 405 405"),
    "records:history-pdf":                 ('patient',               "  L 200 404 404 404 404 200 404", "  L 405 405 405 405 405 405 405"),
    "records:my-history":                  (None,                    "  L 200 200 403 403 403 403 403", "  L 405 405 405 405 405 405 405"),
    "records:my-history-csv":              (None,                    "  L 200 200 404 404 404 404 404", "  L 405 405 405 405 405 405 405"),
    "records:my-history-fhir":             (None,                    "  L 200 200 404 404 404 404 404", "  L 405 405 405 405 405 405 405"),
    "records:my-history-pdf":              (None,                    "  L 200 200 404 404 404 404 404", "  L 405 405 405 405 405 405 405"),
    "records:my-patients":                 (None,                    "  L 403 403 200 200 200 403 403", "  L 405 405 405 405 405 405 405"),
    "records:patient-history":             ('patient',               "  L 200 404 200 200 404 200 404", "  L 405 405 405 405 405 405 405"),
    "records:prescription-pdf":            ('record',                "  L 200 404 200 200 404 200 404", "  L 405 405 405 405 405 405 405"),
    "records:record-detail":               ('record',                "  L 200 404 200 200 404 200 404", "  L 405 405 405 405 405 405 405"),
    "records:record-edit":                 ('record',                "  L 403 404 200 403 404 403 404", "  L 403 404 200 403 404 403 404"),
    "records:record-list":                 (None,                    "  L 403 403 403 403 403 200 403", "  L 405 405 405 405 405 405 405"),
    "records:record-versions":             ('record',                "  L 403 404 200 200 404 200 404", "  L 405 405 405 405 405 405 405"),
    "reports:analytics":                   (None,                    "  L 403 403 403 403 403 200 403", "  L 405 405 405 405 405 405 405"),
    "reports:dashboard":                   (None,                    "  L 302 302 302 302 302 302 302", "  L 405 405 405 405 405 405 405"),
    "reports:doctor-dashboard":            (None,                    "  L 403 403 200 200 200 403 403", "  L 405 405 405 405 405 405 405"),
    "reports:doctor-monthly-report":       ('doctor',                "  L 403 403 403 403 403 200 403", "  L 405 405 405 405 405 405 405"),
    "reports:hospital-dashboard":          (None,                    "  L 403 403 403 403 403 200 403", "  L 405 405 405 405 405 405 405"),
    "reports:hospital-monthly-report":     (None,                    "  L 403 403 403 403 403 200 403", "  L 405 405 405 405 405 405 405"),
    "reports:monthly-report":              (None,                    "  L 404 404 200 200 200 404 404", "  L 405 405 405 405 405 405 405"),
    "reports:patient-dashboard":           (None,                    "  L 200 200 403 403 403 403 403", "  L 405 405 405 405 405 405 405"),
    "reports:report-exports":              (None,                    "  L 403 403 403 403 403 200 403", "  L 403 403 403 403 403 200 403"),
    "scheduling:appointment-action":       ('appointment-check_in',  "  L 405 405 405 405 405 405 405", "  L 302 404 302 404 404 302 302"),
    "scheduling:appointment-bulk-cancel":  (None,                    "  L 403 403 403 403 403 302 302", "  L 403 403 403 403 403 302 302"),
    "scheduling:appointment-cancel":       ('appointment',           "  L 200 404 200 404 404 200 200", "  L 200 404 200 404 404 200 200"),
    "scheduling:appointment-detail":       ('appointment',           "  L 200 404 200 404 404 200 200", "  L 405 405 405 405 405 405 405"),
    "scheduling:appointment-ics":          ('appointment',           "  L 200 404 200 404 404 200 200", "  L 405 405 405 405 405 405 405"),
    "scheduling:appointment-list":         (None,                    "  L 403 403 403 403 403 302 302", "  L 405 405 405 405 405 405 405"),
    "scheduling:availability":             (None,                    "  L 403 403 200 200 200 302 403", "  L 403 403 200 200 200 302 403"),
    "scheduling:book":                     ('doctor',                "  L 200 200 403 403 403 403 403", "  L 200 200 403 403 403 403 403"),
    "scheduling:calendar-feed":            (None,                    "  L 200 200 200 200 200 403 403", "  L 405 405 405 405 405 405 405"),
    "scheduling:calendar-feed-enable":     (None,                    "  L 405 405 405 405 405 405 405", "  L 302 302 302 302 302 403 403"),
    "scheduling:calendar-feed-ics":        ('feed',                  "200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "scheduling:calendar-feed-options":    (None,                    "  L 405 405 405 405 405 405 405", "  L 403 403 302 302 302 403 403"),
    "scheduling:calendar-feed-regenerate": (None,                    "  L 200 200 200 200 200 403 403", "  L 302 302 302 302 302 403 403"),
    "scheduling:calendar-feed-revoke":     (None,                    "  L 200 200 200 200 200 403 403", "  L 302 302 302 302 302 403 403"),
    "scheduling:doctor-day":               (None,                    "  L 403 403 200 200 200 302 302", "  L 405 405 405 405 405 405 405"),
    "scheduling:doctor-week":              (None,                    "  L 403 403 200 200 200 302 302", "  L 405 405 405 405 405 405 405"),
    "scheduling:holiday-delete":           ('holiday',               "  L 403 403 403 403 403 200 403", "  L 403 403 403 403 403 302 403"),
    "scheduling:holidays":                 (None,                    "  L 403 403 403 403 403 200 403", "  L 403 403 403 403 403 200 403"),
    "scheduling:leave-add":                (None,                    "  L 403 403 200 200 200 302 403", "  L 403 403 200 200 200 302 403"),
    "scheduling:leave-delete":             ('leave',                 "  L 403 403 200 403 403 200 403", "  L 403 403 302 403 403 302 403"),
    "scheduling:my-appointments":          (None,                    "  L 200 200 200 200 200 403 403", "  L 405 405 405 405 405 405 405"),
    "scheduling:queue":                    (None,                    "  L 403 403 403 403 403 200 200", "  L 405 405 405 405 405 405 405"),
    "scheduling:queue-book-first":         (None,                    "  L 403 403 403 403 403 302 302", "  L 405 405 405 405 405 405 405"),
    "scheduling:queue-book":               ('doctor',                "  L 403 403 403 403 403 200 200", "  L 403 403 403 403 403 200 200"),
    "scheduling:next-slot":                ('doctor',                "  L 200 200 200 200 200 200 200", "  L 405 405 405 405 405 405 405"),
    "scheduling:reschedule":               ('appointment',           "  L 200 404 200 404 404 200 200", "  L 200 404 200 404 404 200 200"),
    "scheduling:slot-grid":                (None,                    "  L 403 403 200 200 200 302 403", "  L 405 405 405 405 405 405 405"),
    "scheduling:slot-toggle":              (None,                    "  L 405 405 405 405 405 405 405", "  L 403 403 302 302 302 302 403"),
    "scheduling:waitlist":                 (None,                    "  L 403 403 403 403 403 200 200", "  L 405 405 405 405 405 405 405"),
    "scheduling:waitlist-join":            (None,                    "  L 200 200 403 403 403 403 403", "  L 200 200 403 403 403 403 403"),
    "scheduling:waitlist-leave":           ('waitlist-entry',        "  L 405 405 405 405 405 405 405", "  L 302 404 404 404 404 302 302"),
    "scheduling:waitlist-offer":           ('offer',                 "  L 200 404 404 404 404 200 200", "  L 405 405 405 405 405 405 405"),
    "scheduling:waitlist-offer-answer":    ('offer-accept',          "  L 405 405 405 405 405 405 405", "  L 302 404 404 404 404 302 302"),
}
# fmt: on


def all_url_names(*, ours: bool = True) -> set[str]:
    names = set()

    def walk(resolver, namespace):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                walk(p, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver(), None)
    return {n for n in names if not n.startswith(NOT_OURS)} if ours else names


def test_every_url_has_expectations():
    assert all_url_names() == set(MATRIX)


@pytest.fixture
def colleague(db):
    return DoctorFactory(user__email="colleague@example.com").user


@pytest.fixture
def world(patient, doctor, colleague):
    """The objects the URLs point at, all about `patient` and `doctor`."""
    profile, p = doctor.doctor_profile, patient.patient_profile
    for weekday in range(7):
        profile.working_hours.create(weekday=weekday, start="09:00", end="17:00")
    now = timezone.now().replace(second=0, microsecond=0)
    past = AppointmentFactory(
        doctor=profile, patient=p, start=now - timedelta(days=7), end=now - timedelta(days=7)
        + timedelta(minutes=30), status=Appointment.Status.COMPLETED,
    )  # fmt: skip
    record = VisitRecordFactory(
        appointment=past, patient=p, author=doctor, complaint="Cough", diagnosis="Bronchitis"
    )
    AppointmentFactory(
        doctor=colleague.doctor_profile, patient=p, start=now - timedelta(days=3),
        end=now - timedelta(days=3) + timedelta(minutes=30), status=Appointment.Status.COMPLETED,
    )  # fmt: skip
    visit = AppointmentFactory(
        doctor=profile, patient=p, start=now - timedelta(hours=1),
        end=now - timedelta(minutes=30), status=Appointment.Status.CHECKED_IN,
    )  # fmt: skip
    upcoming = services.appointment_book(
        patient=p, doctor=profile, start=next_weekday_slot(10), by=patient
    )
    leave = Leave.objects.create(
        doctor=profile, start=next_weekday_slot(15), end=next_weekday_slot(16)
    )
    entry = WaitlistEntry.objects.create(
        patient=p, doctor=profile, first_day=timezone.localdate(), last_day=timezone.localdate()
        + timedelta(days=7),
    )  # fmt: skip
    offer = WaitlistOffer.objects.create(
        entry=entry, doctor=profile, start=next_weekday_slot(11), end=next_weekday_slot(11)
        + timedelta(minutes=profile.slot_minutes), expires_at=now + timedelta(minutes=30),
    )  # fmt: skip
    hours = profile.working_hours.first()
    override = profile.slot_overrides.create(start=next_weekday_slot(12), available=False)
    return {
        "appointment": [upcoming.pk],
        "appointment-check_in": [upcoming.pk, "check_in"],
        "department": [DepartmentFactory(name="Matrix").pk],
        "doctor": [profile.pk],
        "doctor-block": [profile.pk, "block"],
        "export": [Export.objects.create(owner=patient, patient=p).pk],
        "holiday": [Holiday.objects.create(date="2030-01-01", name="New Year").pk],
        "leave": [leave.pk],
        "patient": [p.pk],
        "record": [record.pk],
        "visit": [visit.pk],
        "hours": [hours.pk],
        "hours-version": [hours.pk, hours.history.first().history_id],
        "override": [override.pk],
        "waitlist-entry": [entry.pk],
        "offer": [offer.token],
        "offer-accept": [offer.token, "accept"],
        "patient-version": [p.pk, p.history.earliest().history_id],
        "record-version": [record.pk, record.history.get().history_id],
        "feed": [services.calendar_feed_enable(owner=patient)],
    }


def outcome(response) -> str | int:
    if response.status_code == 302 and response.url.startswith(reverse("account_login")):
        return "L"
    return response.status_code


CSRF_TOKEN = "a" * 32  # what a browser holds in its cookie and sends back with each POST


def request_as(request, client, role, method, name, args):
    client.handler.enforce_csrf_checks = True
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = reverse(name, args=args)
    if method == "get":
        return client.get(url)
    client.cookies["csrftoken"] = CSRF_TOKEN
    return client.post(url, {}, HTTP_X_CSRFTOKEN=CSRF_TOKEN)


def fingerprint() -> list:
    """The state a refused request must not change."""
    from clinic.models import Department, Doctor, Patient

    return [
        list(Appointment.objects.order_by("pk").values_list("pk", "status", "start")),
        list(Doctor.objects.order_by("pk").values_list("pk", "status")),
        list(Patient.objects.order_by("pk").values_list("pk", "is_active")),
        list(Department.objects.order_by("pk").values_list("pk", "is_active")),
        list(VisitRecord.objects.order_by("pk").values_list("pk", "diagnosis")),
        Leave.objects.count(),
        Holiday.objects.count(),
        Export.objects.count(),
        list(WorkingHours.objects.order_by("pk").values_list("pk", "weekday", "start", "end")),
        list(SlotOverride.objects.order_by("pk").values_list("pk", "available")),
    ]


REFUSED = {"L", "403", "404", "405"}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(request, client, world, name, role, method):
    key, on_get, on_post = MATRIX[name]
    expected = (on_get if method == "get" else on_post).split()[ROLES.index(role)]
    if role != "anonymous":
        request.getfixturevalue(role)  # the user exists before the snapshot
    before = fingerprint()

    response = request_as(request, client, role, method, name, world[key] if key else None)

    assert str(outcome(response)) == expected, (name, role, method)
    if expected in REFUSED or method == "get":
        assert fingerprint() == before, "a refused request (or a GET) changed data"


def test_a_patient_cannot_check_themselves_in(request, client, world):
    response = request_as(
        request, client, "patient", "post", "scheduling:appointment-action",
        world["appointment-check_in"],
    )  # fmt: skip

    assert response.status_code == 302  # back to the appointment, with a message
    status = Appointment.objects.get(pk=world["appointment"][0]).status
    assert status == Appointment.Status.BOOKED


@pytest.mark.parametrize("role", ["patient", "doctor", "hospital_admin", "front_desk"])
def test_every_post_without_a_csrf_token_is_refused(request, client, world, role):
    client.handler.enforce_csrf_checks = True
    client.force_login(request.getfixturevalue(role))
    before = fingerprint()

    answers = {}
    for name, (key, _on_get, _on_post) in MATRIX.items():
        answers[name] = client.post(reverse(name, args=world[key] if key else None), {})

    assert {n: r.status_code for n, r in answers.items() if r.status_code != 403} == {}
    assert all(b"CSRF" in r.content for r in answers.values())
    assert fingerprint() == before


# --- Django admin pages with patient or scheduling data -------------------------------------
# The same roles plus a superuser. "A": sent to the admin's sign-in page (which sends signed-in
# users without the staff flag away with 403, tested in hms/tests/test_admin.py).
ADMIN_ROLES = [*ROLES, "superuser"]
ADMIN_PAGES = ("admin:scheduling_", "admin:clinic_patient_", "admin:records_visitrecord_")


@pytest.fixture
def superuser(db):
    from accounts.tests.factories import UserFactory

    return UserFactory(is_superuser=True, is_staff=True, email="root@example.com")


def admin_outcome(response) -> str | int:
    if response.status_code == 302 and response.url.startswith(reverse("admin:login")):
        return "A"
    return outcome(response)


# Outcomes by role in the order of ADMIN_ROLES; a POST sends no data (so a form answers 200 with
# its errors and a delete page asks for confirmation): nothing may change either way.
# fmt: off
ADMIN_MATRIX = {
    "admin:clinic_patient_add":                   (None,              "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:clinic_patient_change":                ("patient",         "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:clinic_patient_changelist":            (None,              "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:clinic_patient_delete":                ("patient",         "  L   A   A   A   A   A   A   A 403", "  L   A   A   A   A   A   A   A 403"),
    "admin:clinic_patient_history":               ("patient",         "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:clinic_patient_simple_history":        ("patient-version", "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:records_visitrecord_add":              (None,              "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:records_visitrecord_change":           ("record",          "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:records_visitrecord_changelist":       (None,              "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:records_visitrecord_delete":           ("record",          "  L   A   A   A   A   A   A   A 403", "  L   A   A   A   A   A   A   A 403"),
    "admin:records_visitrecord_history":          ("record",          "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:records_visitrecord_simple_history":   ("record-version",  "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_appointment_add":           (None,              "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_appointment_change":        ("appointment",     "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_appointment_changelist":    (None,              "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_appointment_delete":        ("appointment",     "  L   A   A   A   A   A   A   A 403", "  L   A   A   A   A   A   A   A 403"),
    "admin:scheduling_appointment_history":       ("appointment",     "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_holiday_add":               (None,              "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_holiday_change":            ("holiday",         "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 403"),
    "admin:scheduling_holiday_changelist":        (None,              "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_holiday_delete":            ("holiday",         "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_holiday_history":           ("holiday",         "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_leave_add":                 (None,              "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_leave_change":              ("leave",           "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 403"),
    "admin:scheduling_leave_changelist":          (None,              "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_leave_delete":              ("leave",           "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_leave_history":             ("leave",           "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_slotoverride_add":          (None,              "  L   A   A   A   A   A   A   A 403", "  L   A   A   A   A   A   A   A 403"),
    "admin:scheduling_slotoverride_change":       ("override",        "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 403"),
    "admin:scheduling_slotoverride_changelist":   (None,              "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_slotoverride_delete":       ("override",        "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_slotoverride_history":      ("override",        "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_workinghours_add":          (None,              "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_workinghours_change":       ("hours",           "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_workinghours_changelist":   (None,              "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_workinghours_delete":       ("hours",           "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_workinghours_history":      ("hours",           "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 200"),
    "admin:scheduling_workinghours_simple_history": ("hours-version", "  L   A   A   A   A   A   A   A 200", "  L   A   A   A   A   A   A   A 403"),
}
# fmt: on


def test_every_admin_page_with_patient_or_schedule_data_has_expectations():
    assert {n for n in all_url_names(ours=False) if n.startswith(ADMIN_PAGES)} == set(ADMIN_MATRIX)


@pytest.mark.ignore_template_errors  # simple-history's version pages read missing variables
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ADMIN_ROLES)
@pytest.mark.parametrize("name", sorted(ADMIN_MATRIX))
def test_admin_access(request, client, world, name, role, method):
    key, on_get, on_post = ADMIN_MATRIX[name]
    expected = (on_get if method == "get" else on_post).split()[ADMIN_ROLES.index(role)]
    if role != "anonymous":
        request.getfixturevalue(role)
    before = fingerprint()

    response = request_as(request, client, role, method, name, world[key] if key else None)

    assert str(admin_outcome(response)) == expected, (name, role, method)
    assert fingerprint() == before, "an admin request without data changed data"
