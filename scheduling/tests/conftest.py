from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from clinic.tests.factories import PatientFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, doctor_with_hours


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


def local_time(day, hour, minute=0) -> datetime:
    """`hour`:`minute` hospital time on `day`, as UTC."""
    zone = timezone.get_current_timezone()
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


@pytest.fixture
def clock():
    """The clock at 11:00 hospital time tomorrow, standing still (shift it to let time pass)."""
    day = timezone.localdate() + timedelta(days=1)
    with time_machine.travel(local_time(day, 11), tick=False) as traveller:
        traveller.day = day
        yield traveller


def visit_at(doctor, day, hour, minute=0, status=Appointment.Status.BOOKED, **patient):
    """A 30-minute appointment with `doctor` at that local time, for a new patient (`patient`:
    PatientFactory arguments)."""
    start = local_time(day, hour, minute)
    return AppointmentFactory(
        doctor=doctor, patient=PatientFactory(**patient), start=start,
        end=start + timedelta(minutes=30), status=status,
    )  # fmt: skip


__all__ = ["date", "doctor_with_hours"]
