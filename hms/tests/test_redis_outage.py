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


@pytest.fixture
def outage_then_recovery(settings):
    """The failover cache on the real Redis; `start()` begins an outage (calls go to the
    fallback), `end()` lets the next call reach Redis again (and recover)."""
    settings.CACHES = failover_caches(os.environ["REDIS_URL"])
    cache.clear()

    class Outage:
        @staticmethod
        def start():
            cache._mark_down(ConnectionError("simulated outage"))

        @staticmethod
        def end():
            cache._down_until = 0

    return Outage


@pytest.mark.redis
def test_what_was_written_during_an_outage_is_in_redis_after_it(outage_then_recovery):
    cache.set("directory", "old list")
    cache.set("session-of-someone", "signed in")
    outage_then_recovery.start()
    cache.set("directory", "new list")  # an invalidation made during the outage
    cache.delete("session-of-someone")  # a sign-out during the outage
    outage_then_recovery.end()

    assert cache.get("directory") == "new list"
    assert cache.get("session-of-someone") is None  # not resurrected from Redis
    assert caches["fallback"].get("directory") is None  # carried over, not kept twice


@pytest.mark.redis
def test_a_recovery_never_unlocks_an_account_early(outage_then_recovery, client, password):
    patient_user(email="target@example.com")
    for _ in range(3):
        _fail_login(client, "target@example.com")  # counted in Redis
    outage_then_recovery.start()
    for _ in range(2):
        _fail_login(client, "target@example.com")  # counted in the fallback
    outage_then_recovery.end()

    blocked = client.post(
        reverse("account_login"), {"login": "target@example.com", "password": password}
    )

    assert b"Too many failed login attempts" in blocked.content  # 3 + 2 failures
    assert "_auth_user_id" not in client.session


@pytest.mark.redis
def test_a_process_recovering_later_keeps_what_others_wrote_since(outage_then_recovery, settings):
    from hms.cache import FailoverRedisCache

    params = settings.CACHES["default"]
    other = FailoverRedisCache(params["LOCATION"], params)  # a second web process
    outage_then_recovery.start()
    other._mark_down(ConnectionError("simulated outage"))  # both saw the outage
    outage_then_recovery.end()
    cache.set("directory", "rebuilt after the outage")  # this process recovers and writes

    other._down_until = 0
    other.get("anything")  # the other process recovers later

    assert cache.get("directory") == "rebuilt after the outage"


@pytest.mark.redis
def test_an_unreadable_fallback_row_does_not_stop_the_recovery(outage_then_recovery):
    from django.db import connection

    outage_then_recovery.start()
    cache.set("good", "kept")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO hms_cache_fallback (cache_key, value, expires) VALUES (%s, %s, %s)",
            [":1:broken", "not base64 pickle!", "2999-01-01 00:00:00"],
        )
    outage_then_recovery.end()

    assert cache.get("good") == "kept"
    cache.set("after", "works")
    assert cache.get("after") == "works"
