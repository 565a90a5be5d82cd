"""List tables fit a phone: each cell names its column (data-label, shown before the value
when rows stack below the md breakpoint, static/css/hms.css .table-stack), the actions cell
is marked, and long filter forms sit behind a "Filters" button (<details>, no JavaScript)."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from records.models import AccessLogEntry
from records.tests.factories import VisitRecordFactory
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

STAFF_LISTS = [
    "/scheduling/appointments/",
    "/clinic/staff/doctors/",
    "/clinic/staff/patients/",
    "/clinic/departments/",
    "/records/all/",
    "/records/access-log/",
]
DOCTOR_LISTS = ["/scheduling/today/", "/records/my-patients/"]


@pytest.fixture
def rows(doctor, patient, hospital_admin):
    """One of everything the lists show, with an appointment later today (actions offered)."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time(23, 0)))
    AppointmentFactory(
        doctor=doctor.doctor_profile, patient=patient.patient_profile, start=start,
        end=start + timedelta(minutes=30),
    )  # fmt: skip
    VisitRecordFactory()
    AccessLogEntry.objects.create(actor=hospital_admin, role="Hospital admin", action="view")


def body_cells(html: str) -> list[str]:
    tables = re.findall(r"<table[^>]*>.*?</table>", html, flags=re.S)
    assert tables
    for table in tables:
        assert "table-stack" in table[: table.index(">")], table[:120]
    return [
        cell
        for table in tables
        for cell in re.findall(r"<td[^>]*>", table.split("<tbody>", 1)[1])
        if "colspan" not in cell
    ]


@pytest.mark.parametrize("url", STAFF_LISTS)
def test_staff_list_cells_name_their_column_for_phones(client, hospital_admin, rows, url):
    client.force_login(hospital_admin)

    response = client.get(url, follow=True)
    assert response.status_code == 200, response
    cells = body_cells(response.content.decode())

    assert cells
    unnamed = [c for c in cells if "data-label=" not in c and "table-stack-actions" not in c]
    assert not unnamed, unnamed


@pytest.mark.parametrize("url", DOCTOR_LISTS)
def test_doctor_list_cells_name_their_column_for_phones(client, doctor, rows, url):
    client.force_login(doctor)

    response = client.get(url, follow=True)
    assert response.status_code == 200, response
    cells = body_cells(response.content.decode())

    assert cells
    unnamed = [c for c in cells if "data-label=" not in c and "table-stack-actions" not in c]
    assert not unnamed, unnamed


def test_today_shows_the_reason_and_whole_action_labels_on_phones(client, doctor, rows):
    client.force_login(doctor)

    html = client.get("/scheduling/today/").content.decode()

    assert re.search(r'<td class="[^"]*table-stack-show[^"]*" data-label="Reason">', html)
    assert '<td class="table-stack-actions">' in html
    for label in ("Check in", "Reschedule", "Cancel"):
        assert f">{label}</" in html


@pytest.mark.parametrize(
    "url", ["/scheduling/appointments/", "/clinic/staff/doctors/", "/clinic/staff/patients/"]
)
def test_filters_fold_behind_a_button_and_open_when_they_have_an_error(client, hospital_admin, url):
    client.force_login(hospital_admin)

    folded = client.get(url, {"q": ""}, follow=True).content.decode()
    refused = client.get(url, {"date_from": "31/02/2026", "state": "x", "active": "x"})

    assert re.search(
        r'<details class="filter-panel[^"]*">\s*<summary[^>]*>.*Filters</summary>', folded
    )
    assert '<details class="filter-panel mb-3" open>' in refused.content.decode()
