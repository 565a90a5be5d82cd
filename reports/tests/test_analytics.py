from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.tests.factories import DoctorFactory, PatientFactory
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def _book(doctor, days_ago, status="completed", cancelled_hours_before=None):
    start = timezone.now().replace(microsecond=0) - timedelta(days=days_ago)
    return AppointmentFactory(
        doctor=doctor,
        patient=PatientFactory(),
        start=start,
        status=status,
        cancelled_at=start - timedelta(hours=cancelled_hours_before)
        if cancelled_hours_before is not None
        else None,
    )


def test_analytics_numbers_match_the_data(client, hospital_admin):
    doctor = DoctorFactory()
    for weekday in range(7):
        doctor.working_hours.create(weekday=weekday, start="09:00", end="10:00")
    _book(doctor, 1)
    _book(doctor, 2)
    _book(doctor, 3, status="no_show")
    _book(doctor, 4, status="cancelled", cancelled_hours_before=2)  # late
    _book(doctor, 5, status="cancelled", cancelled_hours_before=72)  # in good time
    _book(doctor, 45)  # outside the 30-day window
    client.force_login(hospital_admin)

    data = client.get(reverse("reports:analytics")).context["data"]

    assert data["total"] == 5
    assert dict(data["by_status"])["Completed"] == 2
    assert data["no_show_rate"] == pytest.approx(1 / 3)
    assert data["late_cancel_rate"] == pytest.approx(1 / 5)
    row = next(r for r in data["utilisation"] if r["name"] == doctor.display_name)
    assert row["booked"] == 3 and row["offered"] == 2 * 30  # two 30-min slots a day
    assert sum(n for _, n in data["per_day"]) == 3


def test_analytics_query_count_is_constant(client, hospital_admin):
    client.force_login(hospital_admin)
    url = reverse("reports:analytics") + "?days=90"
    doctor = DoctorFactory()
    _book(doctor, 1)
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(30):
        _book(DoctorFactory(), i % 20 + 1)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


def test_analytics_is_for_hospital_admins_only(client, doctor, patient):
    for user in (doctor, patient):
        client.force_login(user)
        assert client.get(reverse("reports:analytics")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_cached_analytics_change_at_once_after_a_write(client, hospital_admin):
    doctor = DoctorFactory()
    client.force_login(hospital_admin)
    url = reverse("reports:analytics")
    assert client.get(url).context["data"]["total"] == 0  # now cached
    _book(doctor, 1)
    assert client.get(url).context["data"]["total"] == 1


@pytest.mark.django_db(transaction=True)  # the statistics are invalidated after commit
def test_the_drawn_charts_and_tables_change_at_once_after_a_write(client, hospital_admin):
    """They are cached with the statistics they are drawn from (the page's {% cache %}), and
    drawn again when the statistics are computed again."""
    import json
    import re

    doctor = DoctorFactory()
    client.force_login(hospital_admin)
    url = reverse("reports:analytics")

    def drawn() -> int:
        html = client.get(url).content.decode()
        found = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html)
        return sum(json.loads(found.group(1))["perDay"]["values"])

    assert drawn() == 0
    assert drawn() == 0  # from the cache
    _book(doctor, 1)
    assert drawn() == 1


def test_failed_emails_are_visible_to_hospital_admins(client, hospital_admin):
    from reports.models import SentNotification

    doctor = DoctorFactory()
    SentNotification.objects.create(
        kind="monthly_report",
        doctor=doctor,
        status="failed",
        attempts=2,
        last_error="SMTPServerDisconnected: gone",
    )
    client.force_login(hospital_admin)
    html = client.get(reverse("reports:analytics")).content.decode()
    assert "SMTPServerDisconnected" in html and doctor.user.email in html
