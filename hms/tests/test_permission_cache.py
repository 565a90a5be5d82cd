"""The cached permission sets (hms.auth) follow role and permission changes at once."""

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import DOCTOR, PATIENT
from accounts.services import user_set_role
from accounts.tests.factories import patient_user

BOOK = "scheduling.book_own_appointment"
SCHEDULE = "scheduling.manage_own_schedule"


def fresh(user: User) -> User:
    """The user as the next request loads it (no per-object permission cache)."""
    return User.objects.get(pk=user.pk)


def test_second_request_checks_permissions_without_queries(db):
    user = patient_user()
    assert fresh(user).has_perm(BOOK)
    again = fresh(user)
    with CaptureQueriesContext(connection) as queries:
        assert again.has_perm(BOOK)
        assert not again.has_perm(SCHEDULE)
    assert len(queries) == 0


def test_role_change_applies_on_the_next_request(db):
    user = patient_user()
    assert fresh(user).has_perm(BOOK)
    user_set_role(user=user, role=DOCTOR)
    moved = fresh(user)
    assert moved.has_perm(SCHEDULE)
    assert not moved.has_perm(BOOK)
    user_set_role(user=user, role=PATIENT)
    assert not fresh(user).has_perm(SCHEDULE)


def test_permission_removed_from_a_group_is_refused_at_once(db):
    user = patient_user()
    assert fresh(user).has_perm(BOOK)
    permission = Permission.objects.get(codename="book_own_appointment")
    Group.objects.get(name=PATIENT).permissions.remove(permission)
    assert not fresh(user).has_perm(BOOK)


def test_inactive_user_has_no_permissions_even_when_cached(db):
    user = patient_user()
    assert fresh(user).has_perm(BOOK)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not fresh(user).has_perm(BOOK)


def test_a_demoted_superuser_loses_every_permission_on_the_next_request(db):
    user = patient_user()
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    assert fresh(user).get_all_permissions() >= {SCHEDULE, BOOK}

    User.objects.filter(pk=user.pk).update(is_superuser=False)

    assert not fresh(user).has_perm(SCHEDULE)
