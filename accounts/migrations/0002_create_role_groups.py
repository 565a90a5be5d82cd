from django.db import migrations

# Frozen copy of accounts.roles.ROLES: migrations must not import app code that may change.
ROLES = ("Hospital admin", "Doctor", "Patient")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    # The groups exist from here on; their permissions are set by accounts.roles.sync_roles, which
    # runs after every migrate (post_migrate) once all apps' permissions exist.
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
