import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connections, transaction
from django.test import TestCase
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from clinic.tests.factories import DoctorFactory, PatientFactory
from hms.lib.outbox.core import sweep as outbox_sweep
from hms.lib.outbox.models import Message
from reports.apps import DEFAULT_SCHEDULES, install_schedules
from reports.models import SentNotification
from reports.tasks import send_daily_reminders
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    """Each call of `beat` runs like a real beat run: its outbox messages are published (and,
    in eager mode, run) when its transaction commits."""


def run_beat(kind="same_day"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return send_daily_reminders(kind=kind)


def _appointments(n=3, day_offset=0, status="booked"):
    doctor = DoctorFactory()
    base = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(
        days=day_offset
    )
    return [
        AppointmentFactory(
            doctor=doctor,
            patient=PatientFactory(),
            start=base + timedelta(minutes=30 * i),
            end=base + timedelta(minutes=30 * i + 30),
            status=status,
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_running_the_reminder_task_twice_sends_each_reminder_once():
    appointments = _appointments(3)
    _appointments(1, status="cancelled")

    assert run_beat("same_day") == 3
    assert run_beat("same_day") == 0

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        a.patient.user.email for a in appointments
    )
    assert all("Reminder: your appointment today" in m.subject for m in mail.outbox)
    assert all(m.alternatives for m in mail.outbox)  # HTML and plain text
    assert SentNotification.objects.filter(status="sent").count() == 3


@pytest.mark.django_db
def test_appointments_flagged_for_leave_or_a_holiday_get_no_reminder():
    from scheduling.models import Holiday

    first, on_leave, last = _appointments(3, day_offset=1)  # one doctor, one after the other
    on_leave.doctor.leaves.create(start=on_leave.start, end=on_leave.end)
    holiday = Holiday.objects.create(date=timezone.localdate(first.start), name="Storm")

    run_beat("day_before")
    assert mail.outbox == []  # the holiday covers the whole day

    holiday.delete()
    run_beat("day_before")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        a.patient.user.email for a in (first, last)
    )


@pytest.mark.django_db
def test_day_before_reminders_are_a_separate_kind():
    _appointments(2, day_offset=1)
    assert run_beat("day_before") == 2
    assert run_beat("same_day") == 0
    assert all("tomorrow" in m.subject for m in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_still_send_once():
    _appointments(4)
    barrier = threading.Barrier(2)

    def beat():
        barrier.wait()
        try:
            run_beat("same_day")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_a_reminder_left_half_done_by_a_dead_worker_is_sent_once_later():
    (appointment,) = _appointments(1)
    row = SentNotification.objects.create(
        appointment=appointment, kind=SentNotification.Kind.REMINDER_SAME_DAY
    )
    # A worker claimed it and died before sending: the claim blocks others until it goes stale.
    SentNotification.objects.filter(pk=row.pk).update(status="sending", claimed_at=timezone.now())
    run_beat("same_day")
    assert mail.outbox == []
    message = Message.objects.get(key=f"reminder:{row.pk}")
    assert message.status == "failed" and "another worker" in message.last_error
    SentNotification.objects.filter(pk=row.pk).update(
        claimed_at=timezone.now() - timedelta(minutes=11)
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        for _ in range(3):  # the outbox sweep retries it; later sweeps find it done
            with TestCase.captureOnCommitCallbacks(execute=True):
                outbox_sweep()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_smtp_failure_is_recorded_and_the_outbox_retries_it(settings):
    _appointments(1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    run_beat("same_day")
    row = SentNotification.objects.get()
    assert row.status == "failed" and "ConnectionRefused" in row.last_error
    message = Message.objects.get()
    assert message.status == "failed" and message.available_at > timezone.now()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert outbox_sweep() == 0  # not due yet: 30 s after the first attempt
    later = time_machine.travel(timezone.now() + timedelta(seconds=31))
    with later, TestCase.captureOnCommitCallbacks(execute=True):
        assert outbox_sweep() == 1
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2 and len(mail.outbox) == 1
    assert Message.objects.get().status == "done"


@pytest.mark.django_db
def test_send_reminders_command_dry_run_then_real_then_again(capsys):
    _appointments(2)
    call_command("send_reminders", "--dry-run")
    assert "would remind" in capsys.readouterr().out and mail.outbox == []
    call_command("send_reminders")
    assert "Sent 2" in capsys.readouterr().out
    call_command("send_reminders")
    assert "0 appointment(s)" in capsys.readouterr().out
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_default_schedules_exist_after_migrate_and_survive_an_admin_edit():
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert set(DEFAULT_SCHEDULES) <= names
    task = PeriodicTask.objects.get(name="Appointment reminders (same day)")
    task.crontab.hour = "6"
    task.crontab.save()
    task.enabled = False
    task.save()

    assert install_schedules() == []

    task.refresh_from_db()
    assert task.enabled is False and task.crontab.hour == "6"


@pytest.mark.django_db
def test_a_booking_rolled_back_enqueues_nothing(
    django_capture_on_commit_callbacks, patient, doctor
):
    from scheduling import services
    from scheduling.tests.conftest import next_weekday_slot

    for weekday in range(7):
        doctor.doctor_profile.working_hours.create(weekday=weekday, start="09:00", end="17:00")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.appointment_book(
            patient=patient.patient_profile,
            doctor=doctor.doctor_profile,
            start=next_weekday_slot(),
            by=patient,
        )
        raise RuntimeError("something later in the request failed")
    assert callbacks == [] and mail.outbox == []
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_a_dead_broker_delays_the_booking_email_but_never_loses_it(
    patient, doctor, django_capture_on_commit_callbacks
):
    import time

    from hms.celery import app
    from scheduling import services
    from scheduling.tests.conftest import next_weekday_slot

    for weekday in range(7):
        doctor.doctor_profile.working_hours.create(weekday=weekday, start="09:00", end="17:00")
    eager, broker = app.conf.task_always_eager, app.conf.broker_url

    def reset_pools():
        # Producer pools keep connections to the broker they were made for.
        from kombu import pools

        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.task_always_eager, app.conf.broker_url = False, "redis://127.0.0.1:1/0"
    reset_pools()
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            services.appointment_book(
                patient=patient.patient_profile,
                doctor=doctor.doctor_profile,
                start=next_weekday_slot(),
                by=patient,
            )
        elapsed = time.monotonic() - started
    finally:
        app.conf.task_always_eager, app.conf.broker_url = eager, broker
        reset_pools()
    assert Appointment.objects.count() == 1
    assert elapsed < 2
    assert mail.outbox == []  # never sent from the web process ...
    message = Message.objects.get()
    assert message.status == "pending" and message.published_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep() == 1  # ... but by the first sweep once the broker is back
        assert outbox_sweep() == 0
    assert len(mail.outbox) == 1
