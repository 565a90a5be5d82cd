"""Scheduling pages run the same number of queries whatever the number of appointments."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.tests.factories import PatientFactory
from scheduling.tests.conftest import next_weekday_slot
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _add_appointments(doctor, patient_user, n, first_day=0):
    """n appointments over today and the coming days, for the doctor and one of them for
    patient_user."""
    for i in range(n):
        start = next_weekday_slot(9, days_ahead=first_day + i % 3) + timedelta(
            minutes=30 * (i // 3)
        )
        patient = patient_user.patient_profile if i == 0 else PatientFactory()
        AppointmentFactory(
            doctor=doctor, patient=patient, start=start, end=start + timedelta(minutes=30)
        )


@pytest.mark.parametrize(
    ("role", "url", "expected"),
    [
        # Uncached path: the signed-in user is built once (user, 2 permission lookups, group
        # names: hms.auth) and read from the cache after that.
        ("patient", "book", 12),
        ("doctor", "scheduling:doctor-day", 7),
        ("doctor", "scheduling:doctor-week", 7),
        ("doctor", "scheduling:my-appointments", 8),
        ("patient", "scheduling:my-appointments", 9),  # + the waitlist and its offers
        ("hospital_admin", "scheduling:appointment-list", 9),
    ],
)
def test_query_count_does_not_grow(request, client, open_doctor, patient, role, url, expected):
    client.force_login(request.getfixturevalue(role))
    if url == "book":
        url = reverse("scheduling:book", args=[open_doctor.pk])
    else:
        url = reverse(url) + ("?when=upcoming" if "list" in url else "")

    _add_appointments(open_doctor, patient, 3)
    small = _count(client, url)
    _add_appointments(open_doctor, patient, 18, first_day=3)
    large = _count(client, url)

    # Equal at both sizes; the bound is the SQLite count (PostgreSQL needs one fewer here).
    assert small == large <= expected, (small, large)
