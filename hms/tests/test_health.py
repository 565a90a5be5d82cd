from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from hms.lib.outbox.heartbeat import stamp
from hms.tests.test_redis_outage import DEAD_REDIS, failover_caches

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_dependency_and_the_background_jobs(client):
    stamp("worker")
    stamp("beat")

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "worker", "beat", "outbox"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["worker"]["age_seconds"] == 0


def test_a_stopped_worker_or_beat_is_reported_stale_with_its_age(client):
    stamp("worker")
    stamp("beat")
    with time_machine.travel(timezone.now() + timedelta(seconds=200)):
        stamp("worker")  # the worker runs, beat has stopped sending
        response = client.get("/healthz")
        strict = client.get("/healthz?strict=1")

    assert response.status_code == 200  # the web node itself can serve
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["worker"]["ok"] is True
    assert body["checks"]["beat"] == {
        "ok": False,
        "detail": "stale",
        "age_seconds": 200,
        "stale_after_seconds": 90,
    }
    assert strict.status_code == 503


def test_jobs_never_seen_are_reported_as_such(client):
    body = client.get("/healthz").json()
    assert body["checks"]["worker"]["detail"] == "never seen"
    assert client.get("/healthz?strict=1").status_code == 503


def test_healthz_needs_no_login_and_is_never_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_redis_is_down(client, settings):
    settings.CACHES = failover_caches(DEAD_REDIS)

    response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"]["ok"] is False
    assert checks["database"]["ok"] is True


def test_healthz_is_503_when_the_broker_is_down(client, settings):
    from hms.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = DEAD_REDIS
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = old

    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_the_outbox_is_reported_behind_or_with_messages_given_up(client):
    from hms.lib.outbox.models import Message

    stamp("worker")
    stamp("beat")
    assert client.get("/healthz").json()["checks"]["outbox"]["ok"] is True
    Message.objects.create(key="old", handler="x", created=timezone.now() - timedelta(hours=1))
    Message.objects.create(key="dead", handler="x", status="dead")

    outbox = client.get("/healthz").json()["checks"]["outbox"]

    assert outbox["ok"] is False and outbox["gave_up"] == 1
    assert outbox["oldest_waiting_seconds"] >= 3600
    assert client.get("/healthz?strict=1").status_code == 503
