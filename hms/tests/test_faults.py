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

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
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
from hms.tests.test_redis_outage import failover_caches
from scheduling import services
from scheduling.tests.conftest import next_weekday_slot

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds: float = 60, every: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


class PrivateRedis:
    """redis-server on a port of its own, stopped and started again on demand."""

    def __init__(self, tmp: Path):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        if not wait_for(self.answers, 10):
            raise RuntimeError("the test's own redis-server did not start")

    def answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            return True
        return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class SmtpSink:
    """An SMTP server that records every message it receives. Like a real server (Postfix), it
    keeps a message once the final "." has arrived, even if the client is gone before the reply;
    `hold` delays that reply (a slow mail server)."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted: list = []
        self.holding = threading.Event()
        self.hold = 0.0
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(client,), daemon=True).start()

    def _session(self, client: socket.socket) -> None:
        with client, client.makefile("rb") as lines:
            client.sendall(b"220 sink ESMTP\r\n")
            for line in lines:
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    client.sendall(b"250 sink\r\n")
                elif verb == b"DATA":
                    client.sendall(b"354 go on\r\n")
                    body = b"".join(iter(lines.readline, b".\r\n"))
                    if not self._accept(client, body):
                        return
                elif verb == b"QUIT":
                    client.sendall(b"221 bye\r\n")
                    return
                else:  # MAIL, RCPT, RSET, NOOP
                    client.sendall(b"250 ok\r\n")

    def _accept(self, client: socket.socket, body: bytes) -> bool:
        message = message_from_bytes(body)
        with self._lock:
            self.accepted.append((message["To"], message["Subject"], message["Message-ID"]))
        if self.hold:
            self.holding.set()
            time.sleep(self.hold)
        try:
            client.sendall(b"250 accepted\r\n")
        except OSError:
            return False  # the client died before the reply
        return True

    def copies(self) -> Counter:
        with self._lock:
            return Counter(self.accepted)

    def close(self) -> None:
        self.sock.close()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


SHELLS = {"sh", "dash", "bash"}


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Processes:
    """The worker and beat lines of hms/Procfile.dev, run by honcho as `make run` does."""

    def __init__(self, env: dict):
        self.env = env
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str) -> None:
        self.running[name] = subprocess.Popen(
            [sys.executable, "-m", "honcho", "-f", "hms/Procfile.dev", "-d", ".", "start", name],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def celery_pids(self, name: str) -> list[int]:
        """The celery processes (main and pool children) under honcho's `name` process."""
        return [
            pid
            for pid in _descendants(self.running[name].pid)
            # celery itself, not the shells of the `while …; do celery …` loop that restarts it
            if f"celery -A hms {name}" in _cmdline(pid) and _comm(pid) not in SHELLS
        ]

    def kill_celery(self, name: str) -> list[int]:
        """SIGKILL the celery processes of `name` (the restart loop above them survives)."""
        pids = self.celery_pids(name)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids

    def stop(self, name: str) -> str:
        proc = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(os.getpgid(proc.pid), signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(os.getpgid(proc.pid), signal.SIGKILL)
            out, _ = proc.communicate(timeout=10)
        return out.decode(errors="replace")

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


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
