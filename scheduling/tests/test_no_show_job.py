"""The no-show job: appointments still booked NO_SHOW_AFTER_MINUTES after their start become
no-shows, done by the system, exactly once; off by default."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from scheduling.apps import NO_SHOW_SCHEDULE
from scheduling.models import Appointment
from scheduling.tasks import mark_no_shows
from scheduling.tests.conftest import local_time, visit_at

pytestmark = pytest.mark.django_db
Status = Appointment.Status


@pytest.fixture
def morning(clock, doctor):
    """At 11:00: visits at 10:00 and 10:45 still booked, one at 09:30 checked in, and one
    yesterday (left alone: older than a day). Thirty-minute visits that do not overlap."""
    d, profile = clock.day, doctor.doctor_profile
    return {
        "missed": visit_at(profile, d, 10, 0),
        "recent": visit_at(profile, d, 10, 45),
        "arrived": visit_at(profile, d, 9, 30, Status.CHECKED_IN),
        "old": visit_at(profile, d - timedelta(days=1), 10, 0),
    }


def _statuses(rows) -> dict[str, str]:
    return {k: Appointment.objects.get(pk=a.pk).status for k, a in rows.items()}


def test_the_job_is_off_by_default(morning):
    assert mark_no_shows() == 0

    assert set(_statuses(morning).values()) == {Status.BOOKED, Status.CHECKED_IN}


def test_the_job_marks_visits_not_checked_in_in_time_as_no_shows_by_the_system(
    settings, morning, client, hospital_admin
):
    settings.HMS_NO_SHOW_AFTER_MINUTES = 20

    assert mark_no_shows() == 1

    assert _statuses(morning) == {
        "missed": Status.NO_SHOW, "recent": Status.BOOKED,
        "arrived": Status.CHECKED_IN, "old": Status.BOOKED,
    }  # fmt: skip
    event = morning["missed"].events.get()
    assert (event.actor, event.action, event.from_status) == (None, "no_show", "booked")
    client.force_login(hospital_admin)
    page = client.get(reverse("scheduling:appointment-detail", args=[morning["missed"].pk]))
    assert "Marked as not attended (no-show) by the system" in page.content.decode()
    assert "Not checked in 20 minutes after the start" in page.content.decode()


def test_the_job_changes_each_appointment_once_however_often_it_runs(settings, clock, morning):
    settings.HMS_NO_SHOW_AFTER_MINUTES = 20

    first, second = mark_no_shows(), mark_no_shows()
    clock.move_to(local_time(clock.day, 11, 10))
    third = mark_no_shows()

    assert (first, second, third) == (1, 0, 1)  # 10:45 is due at 11:05
    assert morning["missed"].events.count() == 1
    assert morning["recent"].events.count() == 1


def test_migrate_installs_the_job_every_five_minutes():
    task = PeriodicTask.objects.get(name=NO_SHOW_SCHEDULE)

    assert task.task == "scheduling.tasks.mark_no_shows"
    assert task.interval.every == 300
