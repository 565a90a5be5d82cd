import pytest

from hms.tests.test_redis_outage import DEAD_REDIS, failover_caches

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_dependency(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


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
