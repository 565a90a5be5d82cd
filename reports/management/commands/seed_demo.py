import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts import seed as accounts_seed
from accounts.roles import DOCTOR, PATIENT
from clinic import seed as clinic_seed
from records import seed as records_seed
from scheduling import seed as scheduling_seed

SIZES = {
    # size: (bulk doctors, bulk patients, bulk appointments) on top of the small set
    "small": (0, 0, 0),
    "large": (200, 20_000, 200_000),
}


class Command(BaseCommand):
    help = (
        "Load demo data and print the demo logins. --size small (default) makes a handful of "
        "departments, doctors and patients for trying HMS; --size large adds realistic volume "
        "(200 doctors, 20,000 patients, 200,000 appointments) for benchmarks, with bulk "
        "inserts. Idempotent: running it again adds only what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (creates logins with a published password).",
        )

    def handle(self, *args, size: str, allow_production: bool = False, **options):
        if not (settings.DEBUG or settings.TESTING or allow_production):
            raise CommandError(
                "seed_demo creates accounts with a published password, a superuser among them. "
                "It runs only with DJANGO_DEBUG=true (or --allow-production for a benchmark box)."
            )
        started = time.monotonic()
        logins = accounts_seed.seed_demo_logins()
        counts = clinic_seed.seed_small()
        self.stdout.write(
            f"Clinic: {counts['departments']} departments, {counts['doctors']} doctors, "
            f"{counts['patients']} patients (demo set)"
        )
        booked = scheduling_seed.seed_small()
        self.stdout.write(
            f"Scheduling: working hours for {booked['working_hours']} doctors, holidays, "
            f"{booked['appointments']} appointments"
        )
        self.stdout.write(f"Records: {records_seed.seed_small()} visit records added")
        doctors, patients, appointments = SIZES[size]
        if doctors or patients:
            self._seed_bulk(doctors, patients)
            added = scheduling_seed.seed_bulk(target=appointments)
            self.stdout.write(f"Bulk appointments: {added} added")
            if connection.vendor == "postgresql":
                # Fresh statistics: until autovacuum gets round to it, the planner takes the new
                # tables for nearly empty (the history page's query took 140 ms instead of 1).
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({elapsed:.1f}s)."))
        self.stdout.write(f"\nDemo logins (password for all: {accounts_seed.DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.role:<26} {login.email}")

    def _seed_bulk(self, doctors: int, patients: int) -> None:
        added = accounts_seed.seed_bulk_users(
            role=DOCTOR, count=doctors, email_prefix="bulk-doctor-"
        )
        self.stdout.write(f"Bulk doctors: {added} accounts added ({doctors} wanted)")
        added = accounts_seed.seed_bulk_users(
            role=PATIENT, count=patients, email_prefix="bulk-patient-"
        )
        self.stdout.write(f"Bulk patients: {added} accounts added ({patients} wanted)")
        profiles = clinic_seed.seed_bulk_profiles()
        self.stdout.write(
            f"Bulk profiles: {profiles['doctors']} doctors, {profiles['patients']} patients added"
        )
