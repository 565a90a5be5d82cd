import csv
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reports.csv_reports import KINDS, count_rows, rows


class Command(BaseCommand):
    help = (
        "Write a hospital CSV report for a date range to a file (or stdout): 'appointments' "
        "(every appointment, any status) or 'treatments' (every visit record). Read-only; "
        "cells are protected against spreadsheet formulas."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("--from", dest="first", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="last", required=True, help="YYYY-MM-DD (inclusive)")
        parser.add_argument("--doctor", type=int, help="Only this doctor (id)")
        parser.add_argument("--output", "-o", help="File to write (default: stdout)")

    def handle(self, *args, kind, first, last, doctor=None, output=None, **options):
        try:
            first, last = date.fromisoformat(first), date.fromisoformat(last)
        except ValueError as exc:
            raise CommandError("Dates must look like 2026-11-01") from exc
        if last < first:
            raise CommandError("--to must be on or after --from")
        total = count_rows(kind, first, last, doctor)
        handle = open(output, "w", newline="", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
        try:
            writer = csv.writer(handle)
            for row in rows(kind, first, last, doctor):
                writer.writerow(row)
        finally:
            if output:
                handle.close()
        if output:
            self.stdout.write(self.style.SUCCESS(f"Wrote {total} {kind} rows to {output}."))
        else:
            self.stderr.write(f"{total} {kind} rows.")
