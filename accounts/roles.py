"""Roles are Django Groups with explicit permission sets.

Each app declares what each role may do in its AppConfig (`role_permissions`), so a new app adds
its rights without touching accounts. `sync_roles` makes the Groups match the declarations: it is
run after every `migrate` and by `manage.py sync_roles`, and is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

HOSPITAL_ADMIN = "Hospital admin"
DOCTOR = "Doctor"
PATIENT = "Patient"
FRONT_DESK = "Front desk"
ROLES = (HOSPITAL_ADMIN, DOCTOR, PATIENT, FRONT_DESK)


class UnknownPermission(LookupError):
    pass


@dataclass
class RoleChange:
    role: str
    created: bool = False
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.added or self.removed)


def declared_role_permissions(app_registry=global_apps) -> dict[str, set[str]]:
    """{role: {"app_label.codename", ...}} gathered from every AppConfig.role_permissions."""
    declared: dict[str, set[str]] = {role: set() for role in ROLES}
    for app_config in app_registry.get_app_configs():
        for role, perms in getattr(app_config, "role_permissions", {}).items():
            if role not in declared:
                raise ValueError(f"{app_config.label}: unknown role {role!r}")
            declared[role].update(perms)
    return declared


def _permission_ids(names: set[str]) -> dict[str, int]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.filter(
            content_type__app_label__in={a for a, _ in wanted}
        ).values_list("pk", "content_type__app_label", "codename")
        if (app_label, codename) in wanted
    }
    missing = names - found.keys()
    if missing:
        raise UnknownPermission(f"Permissions declared for roles do not exist: {sorted(missing)}")
    return found


@transaction.atomic
def sync_roles(*, dry_run: bool = False) -> list[RoleChange]:
    """Create the role Groups and set each one's permissions to exactly what the apps declare."""
    changes = []
    for role, perm_names in declared_role_permissions().items():
        wanted = _permission_ids(perm_names)
        group = Group.objects.filter(name=role).first()
        change = RoleChange(role=role, created=group is None)
        current: dict[str, int] = {}
        if group is not None:
            current = {
                f"{a}.{c}": pk
                for pk, a, c in group.permissions.values_list(
                    "pk", "content_type__app_label", "codename"
                )
            }
        change.added = sorted(wanted.keys() - current.keys())
        change.removed = sorted(current.keys() - wanted.keys())
        if not dry_run and change.changed:
            group = group or Group.objects.create(name=role)
            group.permissions.set(wanted.values())
        changes.append(change)
    if dry_run:
        transaction.set_rollback(True)
    return changes


def sync_roles_after_migrate(sender, app_config=None, apps=global_apps, **kwargs) -> None:
    # post_migrate is sent once per app, and each app's permissions are created on its own turn:
    # wait for the last app so every declared permission exists.
    last = [c for c in global_apps.get_app_configs() if c.models_module is not None][-1]
    if sender.label == last.label:
        sync_roles()
