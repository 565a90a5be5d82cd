from django.core.management.base import BaseCommand, CommandError

from accounts.roles import UnknownPermission, sync_roles


class Command(BaseCommand):
    help = (
        "Create the role groups (Hospital admin, Doctor, Patient) and set each one's permissions "
        "to exactly what the apps declare. Safe to run any number of times; migrate runs it too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        try:
            changes = sync_roles(dry_run=dry_run)
        except UnknownPermission as exc:
            raise CommandError(f"{exc}. Run 'manage.py migrate' first.") from exc
        prefix = "[dry run] " if dry_run else ""
        for change in changes:
            if not change.changed:
                self.stdout.write(f"{prefix}{change.role}: up to date")
                continue
            if change.created:
                self.stdout.write(f"{prefix}{change.role}: group created")
            for perm in change.added:
                self.stdout.write(f"{prefix}{change.role}: + {perm}")
            for perm in change.removed:
                self.stdout.write(f"{prefix}{change.role}: - {perm}")
        changed = sum(c.changed for c in changes)
        self.stdout.write(self.style.SUCCESS(f"{prefix}{changed} role(s) changed."))
