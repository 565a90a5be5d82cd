from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from scheduling.tests.factories import doctor_with_hours


def next_weekday_slot(hour: int = 10, days_ahead: int = 2) -> datetime:
    """A slot start `days_ahead` days from today at `hour`:00 local, as UTC."""
    day = timezone.localdate() + timedelta(days=days_ahead)
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone()).astimezone(UTC)


@pytest.fixture
def open_doctor(doctor):
    """The `doctor` fixture's profile, working 09:00-17:00 every day, 30-minute slots."""
    profile = doctor.doctor_profile
    for weekday in range(7):
        profile.working_hours.create(weekday=weekday, start=time(9), end=time(17))
    return profile


@pytest.fixture
def run_outbox(django_capture_on_commit_callbacks):
    """Run what the outbox publishes after commit (a waitlist offer, an e-mail) as a worker
    would: `with run_outbox(): ...`."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def slot():
    return next_weekday_slot()


__all__ = ["date", "doctor_with_hours"]
