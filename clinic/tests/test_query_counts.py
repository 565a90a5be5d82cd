"""List pages run the same number of queries whatever the number of rows."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.tests.factories import DepartmentFactory, DoctorFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    cache.clear()  # measure the uncached path
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(n: int) -> None:
    departments = [DepartmentFactory() for _ in range(max(1, n // 5))]
    for i in range(n):
        DoctorFactory(department=departments[i % len(departments)])
        PatientFactory()


@pytest.mark.parametrize(
    ("role", "url_name", "expected"),
    [
        # session + user + 2 permission lookups + group names: the signed-in user, built once
        # and then cached (hms.auth); this measures the uncached path
        ("hospital_admin", "clinic:doctor-list", 8),
        ("hospital_admin", "clinic:patient-list", 7),
        ("hospital_admin", "clinic:department-list", 6),
        ("patient", "clinic:directory", 7),
    ],
)
def test_list_query_count_does_not_grow_with_rows(request, client, role, url_name, expected):
    client.force_login(request.getfixturevalue(role))
    url = reverse(url_name)

    _grow(3)
    small = _queries(client, url)
    _grow(27)
    large = _queries(client, url)

    assert small == large == expected


def test_cached_directory_needs_no_clinic_queries(client, patient):
    _grow(10)
    client.force_login(patient)
    url = reverse("clinic:directory")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert not [q for q in ctx.captured_queries if "clinic_" in q["sql"]]
