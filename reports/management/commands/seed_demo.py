import time

from django.core.management.base import BaseCommand

from accounts import seed as accounts_seed
from accounts.roles import DOCTOR, PATIENT

SIZES = {
    # size: (bulk doctors, bulk patients)
    "small": (0, 0),
    "large": (200, 20_000),
}


class Command(BaseCommand):
    help = (
        "Load demo data and print the demo logins. --size small (default) makes a handful of "
        "records for trying HMS; --size large adds realistic volume for benchmarks. Idempotent: "
        "running it again adds only what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="small")

    def handle(self, *args, size: str, **options):
        started = time.monotonic()
        logins = accounts_seed.seed_demo_logins()
        doctors, patients = SIZES[size]
        if doctors or patients:
            added = accounts_seed.seed_bulk_users(
                role=DOCTOR, count=doctors, email_prefix="bulk-doctor-"
            )
            self.stdout.write(f"Doctors: {added} added ({doctors} wanted)")
            added = accounts_seed.seed_bulk_users(
                role=PATIENT, count=patients, email_prefix="bulk-patient-"
            )
            self.stdout.write(f"Patients: {added} added ({patients} wanted)")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({elapsed:.1f}s)."))
        self.stdout.write(f"\nDemo logins (password for all: {accounts_seed.DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.role:<26} {login.email}")
