"""The staff's one patient search box: names, phone digits and dates of birth, whole or in part,
as a plain GET form and as results while typing (htmx)."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def amara(db):
    return PatientFactory(
        user__first_name="Amara",
        user__last_name="Okafor",
        user__email=None,
        phone="+447911654321",
        date_of_birth=date(1980, 3, 14),
    )


@pytest.fixture
def others(db):
    return [
        PatientFactory(
            user__first_name="Ben",
            user__last_name="Amarasinghe-Lee",
            phone="+447700900123",
            date_of_birth=date(1980, 4, 2),
        ),
        PatientFactory(
            user__first_name="Chloe",
            user__last_name="Okoro",
            phone="+441632960111",
            date_of_birth=date(1992, 3, 14),
        ),
    ]


@pytest.fixture
def staff(client, hospital_admin):
    client.force_login(hospital_admin)
    return client


def names(response) -> set[str]:
    html = response.content.decode()
    return {n for n in ("Amara Okafor", "Ben Amarasinghe-Lee", "Chloe Okoro") if n in html}


def search(client, q, **headers):
    return client.get(reverse("clinic:patient-list"), {"q": q}, headers=headers)


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("okafor", {"Amara Okafor"}),
        ("OKAF", {"Amara Okafor"}),
        ("amara okafor", {"Amara Okafor"}),
        ("okafor  AMARA", {"Amara Okafor"}),  # any order, any case, across first and last
        ("amara", {"Amara Okafor", "Ben Amarasinghe-Lee"}),  # any part of a name
        ("amara lee", {"Ben Amarasinghe-Lee"}),  # several words: all must match
        ("amara zed", set()),
        ("ok", {"Amara Okafor", "Chloe Okoro"}),
    ],
)
def test_search_by_name(staff, amara, others, q, found):
    assert names(search(staff, q)) == found


@pytest.mark.parametrize(
    "q",
    [
        "07911 654",
        "07911654321",
        "+44 7911 654 321",
        "0044 7911 654321",
        "(07911) 654-321",
        "654321",
    ],
)
def test_search_by_phone_compares_digits_only(staff, amara, others, q):
    assert names(search(staff, q)) == {"Amara Okafor"}


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("1980-03-14", {"Amara Okafor"}),
        ("14/03/1980", {"Amara Okafor"}),
        ("14.3.1980", {"Amara Okafor"}),
        ("14-3-1980", {"Amara Okafor"}),
        ("14/03/80", {"Amara Okafor"}),
        ("1980-03", {"Amara Okafor"}),  # partial: a month
        ("1980", {"Amara Okafor", "Ben Amarasinghe-Lee"}),  # partial: a year
        ("14/03", {"Amara Okafor", "Chloe Okoro"}),  # partial: a birthday
        ("31/02/1980", set()),  # no such day: nothing, and no error
    ],
)
def test_search_by_date_of_birth(staff, amara, others, q, found):
    response = search(staff, q)
    assert response.status_code == 200
    assert names(response) == found


def test_the_search_is_a_plain_get_form_without_javascript(staff, amara, others):
    page = search(staff, "07911 654").content.decode()
    assert "<html" in page and 'method="get"' in page and 'name="q"' in page
    assert "1 patient found for “07911 654”" in page


def test_typing_gets_the_results_alone_with_the_count(staff, amara, others):
    response = search(staff, "okafor", **{"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    assert names(response) == {"Amara Okafor"}
    # the count replaces the text of the page's status line, which stays (and is announced)
    assert 'id="patient-count"' in html and 'hx-swap-oob="innerHTML"' in html
    assert "1 patient found" in html
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(staff, amara):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in search(staff, "okafor", **headers).content.decode()


def test_the_staff_appointment_list_finds_a_patient_by_phone(staff, amara, others):
    from scheduling.tests.factories import AppointmentFactory

    AppointmentFactory(patient=amara)
    AppointmentFactory(patient=others[0])
    response = staff.get(reverse("scheduling:appointment-list"), {"patient": "07911 654"})
    assert names(response) == {"Amara Okafor"}


def test_only_staff_search_patients(client, patient, doctor):
    for user in (patient, doctor):
        client.force_login(user)
        assert search(client, "okafor").status_code == 403


@pytest.mark.parametrize("q", ["amara okafor", "07911 654", "14/03/1980", "1980"])
def test_search_query_count_does_not_grow_with_rows(staff, hospital_admin, amara, q):
    def queries() -> int:
        cache.clear()
        staff.force_login(hospital_admin)  # a fresh idle stamp: no session write in the count
        with CaptureQueriesContext(connection) as ctx:
            response = search(staff, q, **{"HX-Request": "true"})
        assert names(response) >= {"Amara Okafor"}
        return len(ctx.captured_queries)

    for _ in range(3):
        PatientFactory(phone="+447700900001", date_of_birth=date(1990, 1, 1))
    small = queries()
    for _ in range(30):
        PatientFactory(phone="+447700900002", date_of_birth=date(1991, 5, 5))
    large = queries()
    # (session: a query when sessions are in the database, none with Redis), the signed-in user
    # built uncached (user, 2 permission lookups, group names: hms.auth), then the count and the
    # page of rows
    assert small == large <= 7


def test_a_found_patient_is_booked_from_the_results(staff, amara):
    html = search(staff, "07911 654", **{"HX-Request": "true"}).content.decode()
    assert f'href="{reverse("clinic:directory")}?for={amara.pk}"' in html
    assert "14/03/1980" in html  # the date of birth tells two namesakes apart
