from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports import reminders
from reports.models import SentNotification
from reports.notifications import Busy, deliver


class Command(BaseCommand):
    help = (
        "Send appointment reminders now, in this process (the beat schedule normally does it). "
        "Safe to run twice: each appointment gets at most one reminder of each kind."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Day of the appointments, YYYY-MM-DD (default: today "
            "for same_day, tomorrow for day_before)",
        )
        parser.add_argument("--kind", choices=sorted(reminders.KINDS), default="same_day")
        parser.add_argument("--dry-run", action="store_true", help="List, send nothing.")

    def handle(self, *args, date=None, kind="same_day", dry_run=False, **options):
        day = self._day(date, kind)
        due = list(reminders.due_appointments(day, kind))
        self.stdout.write(f"{len(due)} appointment(s) on {day} without a {kind} reminder.")
        if dry_run:
            for appointment in due:
                address = appointment.patient.user.email
                action = (
                    f"would remind {address}" if address else f"would skip ({reminders.NO_EMAIL})"
                )
                self.stdout.write(f"  {action} ({timezone.localtime(appointment.start):%H:%M})")
            return
        counts = {"sent": 0, "skipped": 0, "failed": 0, "no_email": 0}
        for appointment in due:
            row = SentNotification.objects.get(pk=reminders.ledger_rows_for(appointment, kind))
            if not appointment.patient.user.email:
                reminders.skip_no_email(row)
                counts["no_email"] += 1
                continue
            try:
                result = deliver(
                    row.pk, lambda a=appointment: reminders.send_reminder_email(a, kind)
                )
            except Busy:
                result = "skipped"  # a worker is sending it right now
            except Exception as exc:  # noqa: BLE001 - reported, the others still go out
                self.stderr.write(f"  failed for appointment {appointment.pk}: {exc}")
                result = "failed"
            counts[result] += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent {counts['sent']}, already sent {counts['skipped']}, "
                f"failed {counts['failed']}, no e-mail address {counts['no_email']}."
            )
        )

    def _day(self, value, kind):
        if value:
            try:
                return date.fromisoformat(value)
            except ValueError as exc:
                raise CommandError("--date must look like 2026-11-21") from exc
        today = timezone.localdate()
        return today if kind == "same_day" else today + timedelta(days=1)
