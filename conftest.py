"""Fixtures shared by every app's tests.

The personas, each a user (the role's profile hangs off it) and each made once here:

- ``patient`` / ``other_patient``: patient users (``.patient_profile``); the second is
  the stranger whose records the first must never see.
- ``doctor`` / ``other_doctor``: active doctors (``.doctor_profile``) without working hours;
  ``scheduling.tests.factories.doctor_with_hours`` gives a doctor a week of them.
- ``hospital_admin``: a member of the Hospital admin group.
- ``front_desk``: a member of the Front desk group: every appointment, today's queue, patient
  registration; no visit records, prescriptions, medical exports or analytics.
- ``client_for(user)``: the test client signed in as that user.

Objects come from the factories (``accounts``, ``clinic``, ``scheduling`` and ``records``
``tests/factories.py``); a test that needs the rules applied (overlaps, audit rows, outbox
messages) goes through the services instead.
"""

import contextlib
import os
import uuid

import pytest
from django.core.cache import caches
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from accounts.tests.factories import PASSWORD, admin_user, front_desk_user
from clinic.tests.factories import DoctorFactory, PatientFactory

# Property tests: CI (the default) runs a fixed, derandomized set of examples, so a failure there
# reproduces; HYPOTHESIS_PROFILE=explore searches longer and differently on every run.
hypothesis_settings.register_profile(
    "ci",
    max_examples=40,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile(
    "explore", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_redis)


@pytest.fixture
def worker_queue():
    """A queue of the test's own, for tests with real worker processes: tasks published by this
    process and by its workers go there (pass CELERY_TASK_DEFAULT_QUEUE to the workers), so a
    worker left behind by another run can never take them."""
    from hms.celery import app

    name = f"test-{uuid.uuid4().hex[:12]}"
    old = app.conf.task_default_queue
    app.conf.task_default_queue = name
    app.amqp._producer_pool = None
    yield name
    app.conf.task_default_queue = old
    app.amqp._producer_pool = None


@pytest.fixture(autouse=True)
def _broker_not_paused():
    # A test that made a publish fail must not leave the outbox's pause to the next test.
    from hms.lib.outbox import core

    core._broker_paused_until = 0.0
    yield
    core._broker_paused_until = 0.0


@pytest.fixture(autouse=True)
def _clean_caches(settings):
    # Rate-limit counters and cached pages must not leak from one test into the next.
    yield
    for alias in settings.CACHES:
        # A test may have pointed a cache at a dead server or left the database already.
        with contextlib.suppress(Exception):
            caches[alias].clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def patient(db):
    """A patient user (with `patient_profile`)."""
    return PatientFactory(user__email="patient@example.com").user


@pytest.fixture
def other_patient(db):
    return PatientFactory(user__email="other.patient@example.com").user


@pytest.fixture
def doctor(db):
    """An active doctor user (with `doctor_profile`)."""
    return DoctorFactory(user__email="doctor@example.com").user


@pytest.fixture
def other_doctor(db):
    return DoctorFactory(user__email="other.doctor@example.com").user


@pytest.fixture
def hospital_admin(db):
    return admin_user(email="admin@example.com")


@pytest.fixture
def front_desk(db):
    return front_desk_user(email="frontdesk@example.com")


@pytest.fixture
def client_for(client):
    """client_for(user): the test client, signed in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login
