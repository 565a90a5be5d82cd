from django.core.management.base import BaseCommand, CommandError

from scheduling.integrity import find_overlaps


class Command(BaseCommand):
    help = (
        "List pairs of appointments of one doctor or one patient that overlap in time (every "
        "status but cancelled holds its time). Read-only; repair each pair by cancelling or "
        "moving one of them (Django admin, Scheduling > Appointments). Exits with status 1 "
        "when any pair is found."
    )

    def handle(self, *args, **options):
        overlaps = find_overlaps()
        for overlap in overlaps:
            self.stdout.write(overlap.describe())
        if overlaps:
            raise CommandError(f"{len(overlaps)} overlapping pair(s) found.")
        self.stdout.write(self.style.SUCCESS("No overlapping appointments."))
