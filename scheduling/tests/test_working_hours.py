"""Working hours are removed only when someone ticks Remove, and every change is versioned."""

from datetime import time

import pytest
from django.urls import reverse

from scheduling.models import WorkingHours

pytestmark = pytest.mark.django_db


@pytest.fixture
def hours(doctor):
    profile = doctor.doctor_profile
    return [
        profile.working_hours.create(weekday=0, start=time(9), end=time(13)),
        profile.working_hours.create(weekday=2, start=time(14), end=time(17)),
    ]


def _form(hours, **overrides):
    data = {"hours-TOTAL_FORMS": str(len(hours)), "hours-INITIAL_FORMS": str(len(hours))}
    for i, h in enumerate(hours):
        data |= {
            f"hours-{i}-id": h.pk,
            f"hours-{i}-weekday": h.weekday,
            f"hours-{i}-start": f"{h.start:%H:%M}",
            f"hours-{i}-end": f"{h.end:%H:%M}",
        }
    return {**data, **overrides}


@pytest.mark.parametrize(
    "forged",
    [
        {"hours-TOTAL_FORMS": "0"},
        {"hours-TOTAL_FORMS": "0", "hours-INITIAL_FORMS": "0"},
        {"hours-TOTAL_FORMS": "-1"},
        {"hours-TOTAL_FORMS": "1", "hours-INITIAL_FORMS": "1"},
        {"hours-TOTAL_FORMS": "5000"},
    ],
    ids=["no-forms", "no-initial", "negative", "one-of-two", "absurd"],
)
def test_a_malformed_form_deletes_no_hours(client, doctor, hours, forged):
    client.force_login(doctor)

    response = client.post(reverse("scheduling:availability"), _form(hours, **forged))

    assert response.status_code == 200
    assert (
        "nothing was saved" in response.content.decode()
        or response.context["formset"].non_form_errors()
    )
    assert list(doctor.doctor_profile.working_hours.order_by("pk")) == hours


def test_every_change_is_a_version_shown_on_the_page(client, doctor, hours):
    client.force_login(doctor)

    response = client.post(
        reverse("scheduling:availability"),
        _form(hours, **{"hours-0-end": "12:00", "hours-1-DELETE": "on"}),
        follow=True,
    )

    assert list(doctor.doctor_profile.working_hours.values_list("end", flat=True)) == [time(12)]
    changes = [c["what"] for c in response.context["hours_changes"]]
    assert changes[:2] == [  # newest first: the removal is written before the change
        "Changed to Monday 09:00–12:00 (was Monday 09:00–13:00)",
        "Removed Wednesday 14:00–17:00",
    ]
    latest = WorkingHours.history.filter(history_type="~").get()
    assert latest.history_user == doctor
    assert "Removed Wednesday 14:00–17:00" in response.content.decode()


def test_unchanged_rows_write_no_versions(client, doctor, hours):
    client.force_login(doctor)
    before = WorkingHours.history.count()

    response = client.post(reverse("scheduling:availability"), _form(hours))

    assert response.status_code == 302
    assert WorkingHours.history.count() == before


def test_add_a_row_without_javascript_keeps_what_was_typed_and_saves_nothing(client, doctor, hours):
    client.force_login(doctor)
    typed = _form(hours, **{"hours-1-end": "18:00", "hours-add": "1"})

    response = client.post(reverse("scheduling:availability"), typed)

    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.total_form_count() == 3  # the two rows and one more blank one
    assert not formset.non_form_errors() and not any(f.errors for f in formset)
    assert 'value="18:00"' in response.content.decode()  # as typed, not as saved
    assert list(doctor.doctor_profile.working_hours.order_by("pk")) == hours
    assert doctor.doctor_profile.working_hours.get(pk=hours[1].pk).end.hour == 17


def test_rows_added_beyond_the_blank_ones_are_saved(client, doctor, hours):
    client.force_login(doctor)
    new = {"hours-TOTAL_FORMS": "4"}
    for i, (day, start, end) in enumerate([(3, "09:00", "12:00"), (4, "10:00", "11:30")], 2):
        new |= {f"hours-{i}-weekday": day, f"hours-{i}-start": start, f"hours-{i}-end": end}

    response = client.post(reverse("scheduling:availability"), _form(hours, **new))

    assert response.status_code == 302
    assert doctor.doctor_profile.working_hours.count() == 4


def test_only_rows_with_something_entered_are_marked_required(client, doctor, hours):
    client.force_login(doctor)
    page = client.get(reverse("scheduling:availability"))
    formset = page.context["formset"]
    assert [f.fields["start"].required for f in formset] == [True, True, False]

    half = _form(hours, **{"hours-TOTAL_FORMS": "3", "hours-2-weekday": "4"})
    response = client.post(reverse("scheduling:availability"), half)

    assert response.status_code == 200
    assert "start" in response.context["formset"][2].errors
    assert doctor.doctor_profile.working_hours.count() == 2


def test_the_row_limit_is_kept_when_adding(client, doctor, hours):
    client.force_login(doctor)
    full = _form(hours, **{"hours-TOTAL_FORMS": "42", "hours-add": "1"})

    response = client.post(reverse("scheduling:availability"), full)

    assert response.context["formset"].total_form_count() == 42
    assert "data-formset-add disabled" in response.content.decode()
