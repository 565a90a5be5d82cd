"""The signed-in user is read from one cache entry (hms.auth), and every change of the user row,
their roles or their permissions applies on the next request."""

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.roles import DOCTOR
from accounts.services import user_set_role
from accounts.tests.factories import patient_user

HOME = "/"  # a signed-in visitor is sent on to their dashboard: the view itself reads nothing


def signed_in(client, user):
    client.force_login(user)
    assert client.get(HOME).status_code == 302  # warms the cached principal
    return client


def test_a_warm_signed_in_request_reads_no_row(client, db):
    signed_in(client, patient_user())
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 302
    assert response.url == reverse("reports:dashboard")
    # Without Redis (this run's settings may have none) sessions live in the database.
    assert [q["sql"] for q in queries if "django_session" not in q["sql"]] == []


def test_a_blocked_account_is_signed_out_on_its_next_request(client, db):
    user = patient_user()
    signed_in(client, user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_new_password_signs_other_sessions_out(client, db):
    user = patient_user()
    signed_in(client, user)
    user.set_password("another-long-passphrase-2026")
    user.save()
    response = client.get(reverse("reports:dashboard"))
    assert response.url.startswith(reverse("account_login"))


def test_a_deleted_account_is_signed_out(client, db):
    user = patient_user()
    signed_in(client, user)
    User.objects.get(pk=user.pk).delete()
    response = client.get(reverse("reports:dashboard"))
    assert response.url.startswith(reverse("account_login"))


def test_a_changed_name_shows_on_the_next_page(client, db):
    user = patient_user(first_name="Asha")
    signed_in(client, user)
    user.first_name = "Ashalata"
    user.save()
    assert "Ashalata" in client.get(reverse("reports:dashboard"), follow=True).text


def test_a_role_change_applies_on_the_next_request(client, db):
    user = patient_user()
    signed_in(client, user)
    assert client.get(reverse("reports:dashboard")).url == "/dashboard/patient/"
    user_set_role(user=user, role=DOCTOR)
    assert client.get(reverse("reports:dashboard")).url == "/dashboard/doctor/"


def test_a_permission_taken_from_the_group_applies_on_the_next_request(client, db):
    user = patient_user()
    signed_in(client, user)
    assert client.get(reverse("scheduling:my-appointments")).status_code == 200
    group = user.groups.get()
    group.permissions.remove(*Permission.objects.filter(codename="book_own_appointment"))
    assert not Group.objects.filter(permissions__codename="book_own_appointment").exists()
    assert client.get(reverse("scheduling:my-appointments")).status_code == 403


def test_a_change_in_a_transaction_is_dropped_again_after_commit(
    client, db, django_capture_on_commit_callbacks
):
    """A request between the save and the commit may cache the row as it was: the entry is
    dropped once more when the change is visible."""
    user = patient_user()
    signed_in(client, user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        user.is_active = False
        user.save()
        # The same connection sees the change already: signed out (the anonymous home page).
        assert client.get(HOME).status_code == 200
    from django.core.cache import cache

    from hms.auth import principal_key

    cache.set(principal_key(user.pk), ("stale", user, frozenset(), frozenset()), 60)
    for callback in callbacks:
        callback()
    assert cache.get(principal_key(user.pk)) is None


def test_the_access_log_names_the_role_without_reading_the_groups(client, db):
    from clinic.tests.factories import PatientFactory
    from records.models import AccessLogEntry

    patient = PatientFactory()
    signed_in(client, patient.user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("records:my-history")).status_code == 200
    assert not [q for q in queries if "auth_group" in q["sql"]]
    assert AccessLogEntry.objects.filter(actor=patient.user).latest("pk").role == "Patient"
