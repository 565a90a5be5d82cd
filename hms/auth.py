"""Permission checks without two SQL queries on every request.

Django's ModelBackend loads a user's permissions from the database once per request (two joins:
user permissions and group permissions). Every signed-in request needs them (the idle sign-out
middleware, the navigation bar, each view's access check); the benchmark measured them at about
half the cost of a trivial signed-in request. This backend keeps each user's permission set in the
cache under a version token that any change of group membership or group/user permissions replaces
(at once, and again after commit), so a role change applies on the next request. Entries also
expire after PERMISSION_CACHE_TTL, a bound for changes made behind Django's back (raw SQL).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save

from hms.lib import cached

PERMISSIONS = "permissions"  # the cache family
PERMISSION_CACHE_TTL = 300


def bust_permissions(**kwargs) -> None:
    """Forget every cached permission set (now, and once the current transaction commits)."""
    cached.invalidate(PERMISSIONS, now=True)
    cached.invalidate(PERMISSIONS)


class CachedPermissionsBackend(ModelBackend):
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


def connect_signals() -> None:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(bust_permissions, sender=through, dispatch_uid=f"perms-{through}")
    for model in (Group, Permission):
        post_save.connect(bust_permissions, sender=model, dispatch_uid=f"perms-save-{model}")
        post_delete.connect(bust_permissions, sender=model, dispatch_uid=f"perms-del-{model}")
