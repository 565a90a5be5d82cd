"""Writes on users and roles."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.roles import ROLES
from hms.lib import outbox


@transaction.atomic
def user_set_role(*, user: User, role: str) -> None:
    """Give `user` exactly one role (Group). Groups are created by sync_roles/migrate."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}")
    user.groups.remove(*Group.objects.filter(name__in=ROLES).exclude(name=role))
    user.groups.add(Group.objects.get(name=role))


@transaction.atomic
def user_create_invited(*, email: str | None, first_name: str, last_name: str, role: str) -> User:
    """A staff-created account: no usable password until the person follows the invitation link.

    The e-mail address is marked verified: the invitation goes to it, and the password can only be
    set from that message. `invitation_send` records the e-mail with the link. Without an address
    (a walk-in patient) there is no login until `user_add_email`.
    """
    user = User(email=email or None, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    if user.email:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user_set_role(user=user, role=role)
    return user


class EmailAlreadySet(Exception):
    """The user already has an e-mail address (and so an invitation)."""


@transaction.atomic
def user_add_email(*, user: User, email: str) -> User:
    """Give an account created without an address its first one and send the invitation, once.

    The row lock makes a second, concurrent submission wait and then see the address: it raises
    instead of sending a second invitation."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.email:
        raise EmailAlreadySet(f"{locked} already has the e-mail address {locked.email}.")
    locked.email = email
    locked.full_clean()
    locked.save(update_fields=["email"])
    EmailAddress.objects.create(user=locked, email=locked.email, verified=True, primary=True)
    outbox.enqueue("accounts.invitation", locked.pk, key=f"invitation:{locked.pk}")
    user.email = locked.email
    return locked


def invitation_send(*, user: User) -> None:
    """Record the invitation e-mail with a set-password link (sent by a worker after commit)."""
    outbox.enqueue("accounts.invitation", user.pk)
