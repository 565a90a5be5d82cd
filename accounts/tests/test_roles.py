import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from accounts.roles import DOCTOR, HOSPITAL_ADMIN, PATIENT, declared_role_permissions, sync_roles

pytestmark = pytest.mark.django_db


def _perms(role: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=role).permissions.select_related("content_type")
    }


def test_migrate_creates_the_three_role_groups_with_their_declared_permissions():
    declared = declared_role_permissions()
    for role in (HOSPITAL_ADMIN, DOCTOR, PATIENT):
        assert _perms(role) == declared[role]
        assert declared[role], f"{role} has no permissions at all"


def test_roles_do_not_share_dashboards():
    assert "accounts.view_hospital_dashboard" not in _perms(PATIENT)
    assert "accounts.view_hospital_dashboard" not in _perms(DOCTOR)
    assert "accounts.view_doctor_dashboard" not in _perms(PATIENT)


def test_sync_roles_is_idempotent():
    first = sync_roles()
    second = sync_roles()

    assert not any(c.changed for c in first)  # migrate already ran it
    assert not any(c.changed for c in second)


def test_sync_roles_repairs_a_tampered_group_and_reports_it(capsys):
    group = Group.objects.get(name=PATIENT)
    group.permissions.remove(Permission.objects.get(codename="view_patient_dashboard"))
    group.permissions.add(Permission.objects.get(codename="view_hospital_dashboard"))

    call_command("sync_roles")

    out = capsys.readouterr().out
    assert "Patient: + accounts.view_patient_dashboard" in out
    assert "Patient: - accounts.view_hospital_dashboard" in out
    assert _perms(PATIENT) == declared_role_permissions()[PATIENT]


def test_sync_roles_dry_run_changes_nothing(capsys):
    Group.objects.get(name=DOCTOR).delete()

    call_command("sync_roles", "--dry-run")

    assert "[dry run] Doctor: group created" in capsys.readouterr().out
    assert not Group.objects.filter(name=DOCTOR).exists()
    call_command("sync_roles")
    assert _perms(DOCTOR) == declared_role_permissions()[DOCTOR]
