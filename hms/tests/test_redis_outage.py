"""With Redis unreachable, pages render, login works and login is still rate-limited.

The cache below points at a port where nothing listens (a real dead Redis, not a mock).
"""

import os

import pytest
from django.core.cache import cache, caches
from django.urls import reverse

from accounts.tests.factories import patient_user

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"


def failover_caches(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "hms.cache.FailoverRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "hms-test",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
                "FALLBACK_ALIAS": "fallback",
                "RETRY_AFTER": 30,
            },
        },
        "fallback": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "hms_cache_fallback",
        },
    }


@pytest.fixture
def redis_down(settings):
    settings.CACHES = failover_caches(DEAD_REDIS)


def _fail_login(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": "wrong-password"})


def test_pages_render_and_login_works_with_redis_down(redis_down, client, password):
    patient_user(email="p@example.com")

    assert client.get(reverse("account_login")).status_code == 200
    assert client.get("/").status_code == 200
    response = client.post(
        reverse("account_login"), {"login": "p@example.com", "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("reports:patient-dashboard")
    assert client.get(reverse("reports:patient-dashboard")).status_code == 200


def test_cache_serves_from_the_fallback_while_redis_is_down(redis_down):
    cache.set("k", "v")
    assert cache.get("k") == "v"
    assert cache.ping() is False


def test_login_is_rate_limited_with_redis_down(redis_down, client, password):
    patient_user(email="target@example.com")
    for _ in range(5):
        assert _fail_login(client, "target@example.com").status_code == 200

    blocked = client.post(
        reverse("account_login"), {"login": "target@example.com", "password": password}
    )

    assert b"Too many failed login attempts" in blocked.content
    assert "_auth_user_id" not in client.session


def test_login_is_rate_limited_after_repeated_failures(client, password):
    patient_user(email="target@example.com")
    for _ in range(5):
        _fail_login(client, "target@example.com")

    blocked = client.post(
        reverse("account_login"), {"login": "target@example.com", "password": password}
    )

    assert b"Too many failed login attempts" in blocked.content
    assert "_auth_user_id" not in client.session


def test_admin_login_goes_through_the_rate_limited_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.redis
def test_failover_cache_uses_redis_when_it_is_up(settings):
    settings.CACHES = failover_caches(os.environ["REDIS_URL"])
    cache.set("k", "from-redis")
    assert cache.ping() is True
    assert cache.get("k") == "from-redis"
    assert caches["fallback"].get("k") is None


@pytest.mark.redis
def test_entries_written_before_an_outage_are_dropped_when_redis_returns(settings):
    # An invalidation made during the outage reached only the fallback, so anything Redis
    # still holds from before may be stale.
    settings.CACHES = failover_caches(os.environ["REDIS_URL"])
    settings.CACHES["default"]["OPTIONS"]["RETRY_AFTER"] = 0
    cache.set("directory", "old list")
    cache._mark_down(ConnectionError("simulated outage"))

    assert cache.get("directory") is None
    cache.set("directory", "new list")
    assert cache.get("directory") == "new list"
