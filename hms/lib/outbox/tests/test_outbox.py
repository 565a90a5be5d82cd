"""The outbox on its own: one key one run, never lost when the broker is down, retried with
backoff, recovered from a dead worker's claim. Celery runs eagerly here (the real worker, Redis
outages and SIGKILL are in hms/tests/test_faults.py)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from hms.lib import outbox
from hms.lib.outbox import core, heartbeat
from hms.lib.outbox.models import Heartbeat, Message

pytestmark = pytest.mark.django_db
RAN: list[tuple] = []


@outbox.handler("tests.record")
def record(*args) -> None:
    RAN.append(args)


@outbox.handler("tests.fail")
def fail(*args) -> None:
    raise OSError("mail server away")


@pytest.fixture(autouse=True)
def _clear():
    RAN.clear()


def committed(function, *args, **kwargs):
    """Call `function` in a transaction whose on-commit work runs, as after a real commit."""
    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        return function(*args, **kwargs)


def test_a_message_runs_after_commit_and_once_per_key():
    committed(outbox.enqueue, "tests.record", 1, "a", key="k1", exists_ok=True)
    committed(outbox.enqueue, "tests.record", 1, "a", key="k1", exists_ok=True)  # a second beat

    assert RAN == [(1, "a")]
    message = Message.objects.get()
    assert message.status == "done" and message.attempts == 1 and message.finished_at


def test_a_key_used_twice_by_mistake_is_an_error():
    from django.db import IntegrityError

    outbox.enqueue("tests.record", key="once")
    with pytest.raises(IntegrityError), transaction.atomic():
        outbox.enqueue("tests.record", key="once")


def test_nothing_runs_when_the_transaction_rolls_back():
    with (
        TestCase.captureOnCommitCallbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.enqueue("tests.record", 1)
        raise RuntimeError

    assert callbacks == [] and RAN == [] and not Message.objects.exists()


def test_an_unknown_handler_is_refused_when_enqueued():
    with pytest.raises(LookupError):
        outbox.enqueue("tests.nobody")


def test_a_message_the_broker_never_got_is_run_by_the_sweep(monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker away")

    monkeypatch.setattr("hms.lib.outbox.tasks.run.apply_async", broker_down)
    committed(outbox.enqueue, "tests.record", 7)
    message = Message.objects.get()
    assert message.status == "pending" and message.published_at is None and RAN == []

    monkeypatch.undo()
    assert committed(core.sweep) == 1
    assert committed(core.sweep) == 0
    assert RAN == [(7,)]


def test_a_failed_message_is_retried_with_backoff_then_given_up(settings):
    settings.HMS_OUTBOX_GIVE_UP_AFTER = 60  # seconds of retrying (a day by default)
    committed(outbox.enqueue, "tests.fail", key="f")
    message = Message.objects.get()
    assert (message.status, message.attempts) == ("failed", 1)
    assert "mail server away" in message.last_error
    assert committed(core.sweep) == 0  # not before its time

    now = timezone.now()
    for seconds, expected in ((31, "failed"), (31 + 61, "dead")):
        with time_machine.travel(now + timedelta(seconds=seconds)):
            assert committed(core.sweep) == 1
        assert Message.objects.get().status == expected
    assert Message.objects.get().attempts == 3
    with time_machine.travel(now + timedelta(days=2)):
        assert committed(core.sweep) == 0  # dead: left for a person (Django admin)


def test_a_message_that_keeps_killing_its_worker_is_given_up(settings):
    settings.HMS_OUTBOX_MAX_ATTEMPTS = 3
    message = Message.objects.create(key="crash", handler="tests.record", args=[1])
    Message.objects.filter(pk=message.pk).update(attempts=3)  # three claims, no outcome

    assert core.process(message.pk) == "failed"

    message.refresh_from_db()
    assert message.status == "dead" and "claimed too often" in message.last_error and RAN == []


def test_a_worker_whose_claim_was_taken_over_cannot_mark_the_message(settings):
    settings.HMS_OUTBOX_CLAIM_TIMEOUT = 600
    message = Message.objects.create(key="slow", handler="tests.record", args=[5])
    first = core.claim(message.pk)
    with time_machine.travel(timezone.now() + timedelta(seconds=601)):
        second = core.claim(message.pk)  # the first looked dead: a second worker took it
    assert first and second and first != second

    core._finish(message, first, Message.Status.DONE)  # the first worker ends after all

    assert Message.objects.get().status == "running"  # the second one's claim still counts
    core._finish(message, second, Message.Status.DONE)
    assert Message.objects.get().status == "done"


def test_a_long_handler_renews_its_claim():
    from hms.lib.outbox.registry import current_claim, current_key

    message = Message.objects.create(key="export:1", handler="tests.record", args=[])
    claimed = core.claim(message.pk)
    key_token, claim_token = current_key.set("export:1"), current_claim.set(claimed)
    try:
        with time_machine.travel(timezone.now() + timedelta(seconds=300)):
            outbox.renew_claim()
            assert list(core.due(now=timezone.now() + timedelta(seconds=400))) == []
    finally:
        current_key.reset(key_token)
        current_claim.reset(claim_token)
    assert Message.objects.get().claimed_at > claimed


def test_after_one_failed_publish_the_process_leaves_publishing_to_the_sweep(monkeypatch):
    calls = []

    def broker_down(*args, **kwargs):
        calls.append(args)
        raise ConnectionError("broker drops packets")

    monkeypatch.setattr("hms.lib.outbox.tasks.run.apply_async", broker_down)
    for n in range(3):
        committed(outbox.enqueue, "tests.record", n)

    assert len(calls) == 1  # one connect attempt, not one per message
    assert Message.objects.filter(published_at__isnull=True).count() == 3
    monkeypatch.undo()
    assert committed(core.sweep) == 3 and len(RAN) == 3


def test_only_one_claim_wins_and_a_dead_workers_claim_expires(settings):
    settings.HMS_OUTBOX_CLAIM_TIMEOUT = 600
    message = Message.objects.create(key="c", handler="tests.record", args=[3])

    assert core.claim(message.pk) is not None
    assert core.claim(message.pk) is None  # another worker, a redelivery
    assert core.process(message.pk) == "skipped"
    assert list(core.due()) == []

    later = timezone.now() + timedelta(seconds=601)
    with time_machine.travel(later):
        assert list(core.due()) == [message]
        assert committed(core.sweep) == 1
    assert RAN == [(3,)] and Message.objects.get().status == "done"


def test_the_heartbeat_stamps_the_beat_that_sends_it_and_the_worker_that_runs_it():
    from celery.signals import before_task_publish

    from hms.lib.outbox.tasks import beat

    before_task_publish.send(sender="outbox.heartbeat", body=None)  # what beat's publish sends
    before_task_publish.send(sender="outbox.sweep", body=None)  # other tasks do not count
    assert list(Heartbeat.objects.values_list("name", flat=True)) == ["beat"]
    beat()  # the worker runs it

    assert set(Heartbeat.objects.values_list("name", flat=True)) == {"worker", "beat"}
    assert all(age is not None and age < 5 for age in heartbeat.ages().values())
