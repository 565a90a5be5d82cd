"""Faults injected into the real thing: nothing lost, nothing twice.

A Redis of the test's own (another port, so other tests are not disturbed) is the cache and the
Celery broker; the worker and beat are real processes started through `hms/Procfile.dev` by
honcho, as `make run` starts them (so a worker that dies is restarted); e-mails go to a small
SMTP server in this process that records every message it accepts. The test process plays the
web node: it books through the services and pages and publishes to the same Redis.

- Redis stopped and started again during bookings and an export: every e-mail and the export
  complete after recovery, each once.
- The worker SIGKILLed in the middle of a batch of cancellations, while the mail server holds
  its reply to a message it has received: after the restart and the redelivery every other
  e-mail goes out once; that one message goes a second time (the worker could not know it was
  received), with the same Message-ID, so mail clients show it once.
- The broker unreachable during a booking: the booking answers at once, its e-mail goes out once
  after recovery, never from the web process.
- Beat stopped: /healthz says so within its stated bound.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from clinic.tests.factories import DoctorFactory, PatientFactory
from hms.celery import app as celery_app
from hms.lib.outbox import core
from hms.lib.outbox.models import Message
from hms.tests.fault_rig import PrivateRedis, Processes, SmtpSink, wait_for
from hms.tests.test_redis_outage import failover_caches
from scheduling import services
from scheduling.tests.conftest import next_weekday_slot

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rig(tmp_path, settings):
    """Private Redis, SMTP sink, and the web side (this process) pointed at them."""
    redis = PrivateRedis(tmp_path)
    redis.start()
    sink = SmtpSink()
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))},
        "DJANGO_DEBUG": "true",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "HMS_VAR_DIR": str(tmp_path / "var"),
        "HMS_WORKER_CONCURRENCY": "1",
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        "OUTBOX_CLAIM_TIMEOUT": "4",
        "OUTBOX_REPUBLISH_AFTER": "3",
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    settings.CACHES = failover_caches(redis.url)
    settings.HMS_OUTBOX_CLAIM_TIMEOUT = 4
    settings.HMS_OUTBOX_REPUBLISH_AFTER = 3
    eager, broker = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, redis.url
    _reset_broker_pools()
    processes = Processes(env)
    rig = type("Rig", (), {"redis": redis, "sink": sink, "processes": processes, "env": env})
    try:
        yield rig
    finally:
        processes.stop_all()
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker
        _reset_broker_pools()
        sink.close()
        redis.stop()


def _reset_broker_pools() -> None:
    from kombu import pools

    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def sweep_until_done(seconds: float = 90) -> bool:
    """Play beat's minute sweep (faster) until every outbox message is done."""

    def done() -> bool:
        core.sweep()
        return not Message.objects.exclude(status=Message.Status.DONE).exists()

    return wait_for(done, seconds, every=1)


def open_doctor():
    doctor = DoctorFactory()
    for weekday in range(7):
        doctor.working_hours.create(weekday=weekday, start="08:00", end="18:00")
    return doctor


def book(doctor, patient, hour: int, days_ahead: int = 2):
    return services.appointment_book(
        patient=patient, doctor=doctor, start=next_weekday_slot(hour, days_ahead), by=patient.user
    )


def test_a_redis_outage_delays_emails_and_exports_but_loses_and_repeats_nothing(rig):
    from records.exports import export_start
    from records.models import Export

    rig.processes.start("worker")
    doctor, patients = open_doctor(), [PatientFactory() for _ in range(6)]
    for i, patient in enumerate(patients[:3]):
        book(doctor, patient, 9 + i)
    assert wait_for(lambda: len(rig.sink.copies()) == 3, 60), rig.processes.stop("worker")

    rig.redis.stop()
    started = time.monotonic()
    for i, patient in enumerate(patients[3:]):
        book(doctor, patient, 13 + i)
    export = export_start(patient=patients[0], by=patients[0].user)
    assert time.monotonic() - started < 6  # four requests, none held by the dead broker
    time.sleep(3)  # the worker meets the outage (and may die of it: honcho's loop restarts it)

    rig.redis.start()
    assert sweep_until_done(), list(Message.objects.values_list("key", "status", "last_error"))

    copies = rig.sink.copies()
    assert sorted(to for to, _, _ in copies) == sorted(p.user.email for p in patients)
    assert set(copies.values()) == {1}, copies
    assert Export.objects.get(pk=export.pk).status == Export.Status.DONE


def test_a_worker_killed_mid_batch_sends_each_email_once(rig, hospital_admin):
    rig.processes.start("worker")
    doctor = open_doctor()
    booked = [
        book(doctor, PatientFactory(), hour, days_ahead)
        for days_ahead in (2, 3)
        for hour in range(8, 18)
    ]
    assert sweep_until_done(), "the confirmations did not go out"
    confirmations = len(rig.sink.copies())
    rig.sink.hold = 0.4  # a slow mail server: the worker spends its time waiting for replies

    services.appointments_cancel_many(appointments=booked, by=hospital_admin, reason="Storm")
    assert wait_for(lambda: len(rig.sink.copies()) >= confirmations + 5, 60)
    rig.sink.holding.clear()
    assert rig.sink.holding.wait(10)  # the worker is inside an SMTP exchange right now ...
    killed = rig.processes.kill_celery("worker")  # ... and dies there (SIGKILL), unacked
    assert killed
    rig.sink.hold = 0.05
    restarted = lambda: set(rig.processes.celery_pids("worker")) - set(killed)  # noqa: E731
    assert wait_for(restarted, 30), "the worker was not restarted"

    assert sweep_until_done(120), list(Message.objects.values_list("key", "status", "last_error"))
    copies = rig.sink.copies()
    cancellations = [c for c in copies if c[1].endswith("Appointment cancelled")]
    assert len(cancellations) == len(booked)
    assert len({message_id for _, _, message_id in cancellations}) == len(booked)
    twice = [c for c, n in copies.items() if n > 1]
    assert len(twice) <= 1 and all(copies[c] == 2 for c in twice), twice  # the one in flight


def test_a_booking_with_the_broker_down_answers_at_once_and_mails_once_later(rig, client):
    rig.processes.start("worker")
    doctor, patient = open_doctor(), PatientFactory()
    start = next_weekday_slot(10)
    rig.redis.stop()
    client.force_login(patient.user)

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        started = time.monotonic()
        response = client.post(
            reverse("scheduling:book", args=[doctor.pk]),
            {"date": timezone.localdate(start).isoformat(), "slot": _key(start), "reason": ""},
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 302 and elapsed < 2, elapsed
    assert mail.outbox == []  # never sent by the web process
    assert Message.objects.get().status == Message.Status.PENDING

    rig.redis.start()
    assert sweep_until_done()
    time.sleep(2)  # a second copy, if any, would arrive now
    assert [to for to, _, _ in rig.sink.copies().elements()] == [patient.user.email]


def _key(start) -> str:
    from scheduling.slots import Slot

    return Slot(start, start).key


def test_a_stopped_beat_shows_on_healthz_within_its_bound(rig, client, settings):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.filter(task="outbox.heartbeat").update(interval=every_second)
    settings.HMS_HEARTBEAT_STALE_AFTER = 5
    rig.processes.start("worker")
    rig.processes.start("beat")

    def fresh(name):
        check = client.get("/healthz").json()["checks"][name]
        return check["ok"] and check["age_seconds"] <= 2

    assert wait_for(lambda: fresh("beat") and fresh("worker"), 60)
    assert client.get("/healthz?strict=1").status_code == 200
    rig.processes.stop("beat")
    stopped = time.monotonic()

    assert wait_for(lambda: not client.get("/healthz").json()["checks"]["beat"]["ok"], 15)
    assert time.monotonic() - stopped <= 5 + 3  # the bound, plus a heartbeat's lag
    body = client.get("/healthz").json()
    assert body["status"] == "degraded" and body["checks"]["beat"]["detail"] == "stale"
    assert body["checks"]["beat"]["age_seconds"] >= 5
    assert client.get("/healthz?strict=1").status_code == 503
