"""The signed-in user and their permissions without SQL on every request.

Django's ModelBackend reads the user's row (`get_user`) and then their permissions (two joins:
user permissions and group permissions) on every signed-in request; the benchmark measured these
at most of the cost of a trivial signed-in request (issues 7 and 15). This backend keeps, per
user, one cache entry holding the user's row, permission set and group names ("the principal"):

- a signed-in request reads it together with the permissions' version token in one cache
  round-trip (`get_many`), after the session's own read: no query at all on a warm session;
- any save or delete of the user row drops the entry (at once, and again after commit), so a
  blocked account, a new password or a changed name applies on the next request;
- any change of group membership or group/user permissions replaces the permissions' version
  token (hms.lib.cached), which every entry is checked against, so a role change applies on the
  next request too;
- entries expire after PERMISSION_CACHE_TTL, a bound for changes made behind Django's back (raw
  SQL `UPDATE`s of the user table, which HMS never makes).

The entry holds what the user row holds (as the session store holds the session): the password
hash too, which Django's session check (`get_session_auth_hash`) needs.
"""

from __future__ import annotations

import copy

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from hms.lib import cached

PERMISSIONS = "permissions"  # the cache family
PERMISSION_CACHE_TTL = 300


def principal_key(user_id) -> str:
    return f"auth:principal:{user_id}"


def forget_user(sender=None, instance=None, **kwargs) -> None:
    """Drop the cached principal of a saved or deleted user (now, and once the current
    transaction commits: a request in between may have cached the row as it was)."""
    key = principal_key(instance.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def bust_permissions(**kwargs) -> None:
    """Forget every cached permission set (now, and once the current transaction commits)."""
    cached.invalidate(PERMISSIONS, now=True)
    cached.invalidate(PERMISSIONS)


class CachedPrincipalMixin:
    """`get_user` from the cached principal (see the module's docstring)."""

    def get_user(self, user_id):
        token_key = cached.token_key(PERMISSIONS)
        found = cache.get_many([principal_key(user_id), token_key])
        entry, token = found.get(principal_key(user_id)), found.get(token_key)
        if entry is not None and token is not None and entry[0] == token:
            user, perms, groups = entry[1], entry[2], entry[3]
        else:
            user = super().get_user(user_id)
            if user is None:
                return None
            token = token or cached.token(PERMISSIONS)
            perms = frozenset(ModelBackend.get_all_permissions(self, _pristine(user)))
            groups = frozenset(user.groups.values_list("name", flat=True))
            entry = (token, user, perms, groups)
            cache.set(principal_key(user_id), entry, PERMISSION_CACHE_TTL)
        user._perm_cache = set(perms)
        user._group_names = groups  # accounts.access.roles_of (the access log's role column)
        return user if self.user_can_authenticate(user) else None


def _pristine(user):
    """A copy to compute permissions on (ModelBackend memoises them on the instance it is given:
    the cached row stays the row)."""
    return copy.copy(user)


class CachedPermissionsBackend(CachedPrincipalMixin, ModelBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            # date_joined in the key: a new user reusing a deleted user's id (SQLite, tests)
            # never inherits that user's permissions. is_superuser in the key: a superuser's set
            # is every permission, and a demoted superuser must lose it on the next request.
            joined = user_obj.date_joined.timestamp() if user_obj.date_joined else 0
            superuser = int(user_obj.is_superuser)
            key = f"{user_obj.pk}:{joined}:{superuser}"
            perms = cached.cached(
                PERMISSIONS,
                key,
                lambda: super(CachedPermissionsBackend, self).get_all_permissions(user_obj),
                PERMISSION_CACHE_TTL,
            )
            user_obj._perm_cache = set(perms)
        return user_obj._perm_cache


class CachedAllauthBackend(CachedPrincipalMixin, AuthenticationBackend):
    """allauth's backend (sign-in by e-mail), reading the signed-in user as above."""


def connect_signals() -> None:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(bust_permissions, sender=through, dispatch_uid=f"perms-{through}")
    post_save.connect(forget_user, sender=user_model, dispatch_uid="principal-save")
    post_delete.connect(forget_user, sender=user_model, dispatch_uid="principal-delete")
    for model in (Group, Permission):
        post_save.connect(bust_permissions, sender=model, dispatch_uid=f"perms-save-{model}")
        post_delete.connect(bust_permissions, sender=model, dispatch_uid=f"perms-del-{model}")
