from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clinic.models import Doctor
from reports.models import SentNotification
from reports.monthly import deliver_monthly_report, doctors_to_report, previous_month


class Command(BaseCommand):
    help = (
        "E-mail the monthly activity PDF to every active doctor (or one), now, in this process. "
        "Safe to run twice: each doctor gets each month's report at most once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--doctor", type=int, help="Only this doctor (id)")
        parser.add_argument("--dry-run", action="store_true", help="List, send nothing.")

    def handle(self, *args, month=None, doctor=None, dry_run=False, **options):
        first = self._month(month)
        ids = [doctor] if doctor else doctors_to_report()
        sent_already = set(
            SentNotification.objects.filter(
                kind=SentNotification.Kind.MONTHLY_REPORT, month=first, status="sent"
            ).values_list("doctor_id", flat=True)
        )
        self.stdout.write(
            f"{len(ids)} doctor(s), month {first:%Y-%m}; "
            f"{len(sent_already & set(ids))} already sent."
        )
        if dry_run:
            for d in Doctor.objects.with_related().filter(pk__in=ids):
                state = "already sent" if d.pk in sent_already else "would send"
                self.stdout.write(f"  {state}: {d.display_name} <{d.user.email}>")
            return
        counts = {"sent": 0, "skipped": 0, "failed": 0}
        for doctor_id in ids:
            try:
                counts[deliver_monthly_report(doctor_id, first)] += 1
            except Doctor.DoesNotExist as exc:
                raise CommandError(f"No doctor with id {doctor_id}") from exc
            except Exception as exc:  # noqa: BLE001 - reported; the others still go out
                self.stderr.write(f"  failed for doctor {doctor_id}: {exc}")
                counts["failed"] += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent {counts['sent']}, already sent {counts['skipped']}, "
                f"failed {counts['failed']}."
            )
        )

    def _month(self, value):
        if not value:
            return previous_month(timezone.localdate())
        try:
            return date.fromisoformat(f"{value}-01")
        except ValueError as exc:
            raise CommandError("--month must look like 2026-10") from exc
