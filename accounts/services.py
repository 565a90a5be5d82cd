"""Writes on users and roles."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.roles import ROLES


@transaction.atomic
def user_set_role(*, user: User, role: str) -> None:
    """Give `user` exactly one role (Group). Groups are created by sync_roles/migrate."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}")
    user.groups.remove(*Group.objects.filter(name__in=ROLES).exclude(name=role))
    user.groups.add(Group.objects.get(name=role))
