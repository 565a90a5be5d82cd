"""Demo users for `manage.py seed_demo`: known logins, and bulk users for the large data set."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.roles import DOCTOR, FRONT_DESK, HOSPITAL_ADMIN, PATIENT
from accounts.services import user_set_role

DEMO_PASSWORD = "hms-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    first_name: str
    last_name: str


DEMO_LOGINS = (
    DemoLogin(HOSPITAL_ADMIN, "admin@example.com", "Alice", "Morgan"),
    DemoLogin(DOCTOR, "doctor@example.com", "Gregory", "Hale"),
    DemoLogin(PATIENT, "patient@example.com", "Priya", "Shah"),
    DemoLogin(FRONT_DESK, "frontdesk@example.com", "Fatima", "Okafor"),
)
SUPERUSER = DemoLogin("Superuser (Django admin)", "superuser@example.com", "Sam", "Root")


@functools.cache
def _demo_password_hash() -> str:
    # One hash for every demo user: hashing is deliberately slow (~0.5 s each).
    return make_password(DEMO_PASSWORD)


def ensure_demo_user(*, email: str, first_name: str, last_name: str, role: str) -> User:
    """A demo user with `role` and a verified address; an existing user is left as it is."""
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name}
    )
    if created:
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
        user_set_role(user=user, role=role)
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    return user


@transaction.atomic
def seed_demo_logins() -> list[DemoLogin]:
    """Create the demo logins if missing (existing users and their passwords are left alone)."""
    for login in (*DEMO_LOGINS, SUPERUSER):
        user, created = User.objects.get_or_create(
            email=login.email,
            defaults={"first_name": login.first_name, "last_name": login.last_name},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if login is SUPERUSER:
                user.is_staff = user.is_superuser = True
            user.save()
        if login is not SUPERUSER:
            user_set_role(user=user, role=login.role)
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    return [*DEMO_LOGINS, SUPERUSER]


def seed_bulk_users(*, role: str, count: int, email_prefix: str, batch_size: int = 2000) -> int:
    """Ensure `count` users `<prefix>NNNNN@example.org` with `role` exist; return how many added.

    Bulk inserts with one shared password hash (hashing 20,000 passwords would take minutes).
    """
    existing = set(
        User.objects.filter(email__startswith=email_prefix).values_list("email", flat=True)
    )
    emails = [f"{email_prefix}{i:05d}@example.org" for i in range(1, count + 1)]
    missing = [e for e in emails if e not in existing]
    if not missing:
        return 0
    password = _demo_password_hash()
    group = Group.objects.get(name=role)
    Membership = User.groups.through
    for start in range(0, len(missing), batch_size):
        chunk = missing[start : start + batch_size]
        with transaction.atomic():
            User.objects.bulk_create(
                User(email=e, first_name="Demo", last_name=e.split("@")[0], password=password)
                for e in chunk
            )
            ids = dict(User.objects.filter(email__in=chunk).values_list("email", "pk"))
            Membership.objects.bulk_create(Membership(user_id=ids[e], group=group) for e in chunk)
            EmailAddress.objects.bulk_create(
                EmailAddress(user_id=ids[e], email=e, verified=True, primary=True) for e in chunk
            )
    return len(missing)
