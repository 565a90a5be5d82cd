"""Reminders through Redis on real Celery worker processes, including one killed mid-send."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from clinic.tests.factories import DoctorFactory, PatientFactory
from hms.celery import app as celery_app
from reports.models import SentNotification
from scheduling.tests.factories import AppointmentFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hms",
            "worker",
            "--pool=solo",
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _env(**extra) -> dict:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        "NOTIFICATION_CLAIM_TIMEOUT": "3",
        "OUTBOX_CLAIM_TIMEOUT": "3",
        "CELERY_TASK_DEFAULT_QUEUE": celery_app.conf.task_default_queue,
        **extra,
    }
    env.pop("EMAIL_URL", None)
    env.update(extra)
    return env


def _output(worker: subprocess.Popen) -> str:
    """What a worker printed so far (for the failure message)."""
    worker.terminate()
    return worker.communicate(timeout=30)[0].decode(errors="replace")[-3000:]


def _wait(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


class SilentSmtpServer:
    """Accepts connections and never answers: the worker blocks inside the SMTP send."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.clients = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.clients.append(client)

    def close(self):
        for c in self.clients:
            c.close()
        self.sock.close()


def _appointment():
    start = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    return AppointmentFactory(
        doctor=DoctorFactory(),
        patient=PatientFactory(),
        start=start,
    )


@pytest.fixture
def broker_mode(worker_queue):
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield worker_queue
    celery_app.conf.task_always_eager = eager


def test_a_worker_killed_mid_send_leads_to_exactly_one_email(tmp_path, broker_mode):
    from django.db import transaction

    from hms.lib import outbox

    appointment = _appointment()
    row = SentNotification.objects.create(
        appointment=appointment, kind=SentNotification.Kind.REMINDER_SAME_DAY
    )
    smtp = SilentSmtpServer()
    first = _worker(_env(EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}"))
    try:
        with transaction.atomic():  # published to the broker when this commits
            outbox.enqueue("reports.reminder", row.pk, key=f"reminder:{row.pk}")
        # The first worker has claimed the row and is stuck talking to the mail server ...
        assert _wait(lambda: SentNotification.objects.get(pk=row.pk).status == "sending")
    finally:
        first.send_signal(signal.SIGKILL)  # ... and dies there, without acknowledging.
        first.wait(10)
        smtp.close()
    mails = tmp_path / "mail"
    second = _worker(_env(EMAIL_FILE_PATH=str(mails)))
    try:
        # The broker hands the unacknowledged task to the new worker; the stale claim expires.
        assert _wait(lambda: SentNotification.objects.get(pk=row.pk).status == "sent", 90), (
            second.stdout.read1().decode() if second.stdout else ""
        )
        time.sleep(4)  # a duplicate delivery, if any, would land now
    finally:
        second.terminate()
        second.communicate(timeout=30)
    sent = list(mails.iterdir()) if mails.exists() else []
    assert len(sent) == 1
    assert appointment.patient.user.email in sent[0].read_text()


def test_reminders_sent_by_a_real_worker_twice_queued_go_out_once(tmp_path, broker_mode):
    from reports.tasks import send_daily_reminders

    appointments = [_appointment() for _ in range(3)]
    mails = tmp_path / "mail"
    worker = _worker(_env(EMAIL_FILE_PATH=str(mails)))
    try:
        send_daily_reminders.delay(kind="same_day")
        send_daily_reminders.delay(kind="same_day")
        assert _wait(lambda: SentNotification.objects.filter(status="sent").count() == 3), _output(
            worker
        )
        time.sleep(3)
    finally:
        worker.terminate()
        worker.communicate(timeout=30)
    assert len(list(mails.iterdir())) == len(appointments)
