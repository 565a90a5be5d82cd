"""Measurements outside the request loop; writes var/bench/extras.json.

- csv: 100,000-row history CSV, both the background export (records.exports.write_export) and
  the streamed download (records.views.history_csv): time and peak memory.
- pdf: one doctor's monthly PDF (reports.monthly): time and peak memory.
- slots: the slot engine (scheduling.slots.compute_slots, uncached) for one doctor-week with
  1,000 and then 1,000,000 appointments in the table (a copy of the bench database).

Each measurement runs in a fresh process, so its peak resident memory (ru_maxrss) is its own;
"peak memory" is that peak minus the process's size just before the measured call.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from bench.common import ROOT, setup_django, write_json

CSV_ROWS = 100_000
CSV_PATIENT = "bulk-patient-19999@example.org"
CSV_DOCTOR = "bulk-doctor-00002@example.org"
SLOTS_DB = "hms_bench_slots"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_csv_fixture():
    """CSV_PATIENT gets CSV_ROWS past visits (records with one prescription line each)."""
    from django.db import transaction

    from clinic.models import Doctor, Patient
    from records.models import PrescriptionItem, VisitRecord
    from scheduling.models import Appointment

    patient = Patient.objects.get(user__email=CSV_PATIENT)
    have = VisitRecord.objects.filter(patient=patient).count()
    if have >= CSV_ROWS:
        return patient
    doctor = Doctor.objects.get(user__email=CSV_DOCTOR)
    base = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(days=have)
    for chunk in range(have, CSV_ROWS, 5000):
        with transaction.atomic():
            appointments = Appointment.objects.bulk_create(
                Appointment(
                    doctor=doctor,
                    patient=patient,
                    start=base + timedelta(minutes=30 * i),
                    end=base + timedelta(minutes=30 * i + 30),
                    status=Appointment.Status.COMPLETED,
                )
                for i in range(chunk, min(chunk + 5000, CSV_ROWS))
            )
            records = VisitRecord.objects.bulk_create(
                VisitRecord(
                    appointment=a,
                    patient=patient,
                    author_id=doctor.user_id,
                    complaint="Routine review, =cmd|' /C calc'!A0 never runs",
                    diagnosis="Essential hypertension",
                    bp_systolic=130,
                    bp_diastolic=85,
                    pulse=72,
                    advice="Rest, fluids, come back if worse.",
                )
                for a in appointments
            )
            PrescriptionItem.objects.bulk_create(
                PrescriptionItem(
                    record=r,
                    medicine="Amlodipine",
                    dose="5 mg",
                    frequency="once a day",
                    duration="30 days",
                )
                for r in records
            )
    return patient


def measure_csv_export() -> dict:
    from accounts.models import User
    from records.exports import history_csv_rows, write_export
    from records.models import Export

    patient = ensure_csv_fixture()
    admin = User.objects.get(email="admin@example.com")
    export = Export.objects.create(owner=admin, patient=patient, total=CSV_ROWS)
    before, started = peak_mb(), time.perf_counter()
    status = write_export(export, lambda: history_csv_rows(patient), "bench-history.csv")
    seconds = time.perf_counter() - started
    export.refresh_from_db()
    size = export.file.size
    export.file.delete(save=False)
    export.delete()
    return {
        "status": status,
        "seconds": seconds,
        "peak_mb": peak_mb() - before,
        "bytes": size,
        "rows": CSV_ROWS,
    }


def measure_csv_stream() -> dict:
    from django.test import Client

    from accounts.models import User
    from clinic.models import Patient

    patient = ensure_csv_fixture()
    client = Client()
    client.force_login(User.objects.get(email="admin@example.com"))
    # The first request of a process imports every view; a short CSV first keeps that out.
    small = Patient.objects.get(user__email="patient@example.com")
    b"".join(client.get(f"/records/patients/{small.pk}/history.csv").streaming_content)
    before, started = peak_mb(), time.perf_counter()
    response = client.get(f"/records/patients/{patient.pk}/history.csv")
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    return {
        "status": response.status_code,
        "seconds": seconds,
        "peak_mb": peak_mb() - before,
        "bytes": size,
        "rows": lines - 1,
    }


def measure_pdf() -> dict:
    from django.db.models import Count
    from django.utils import timezone

    from reports.monthly import month_bounds, monthly_pdf, monthly_stats, previous_month
    from scheduling.models import Appointment

    first = previous_month(timezone.localdate())
    start, end = month_bounds(first)
    row = (
        Appointment.objects.filter(start__gte=start, start__lt=end)
        .values("doctor")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    from clinic.models import Doctor

    doctor = Doctor.objects.with_related().get(pk=row["doctor"])
    runs, peaks = [], [peak_mb()]
    for _ in range(4):
        started = time.perf_counter()
        pdf = monthly_pdf(monthly_stats(doctor, first))
        runs.append(time.perf_counter() - started)
        peaks.append(peak_mb())
    # The first render also loads WeasyPrint, Pango and the fonts: reported apart.
    return {
        "month": first.isoformat(),
        "appointments": row["n"],
        "first_seconds": runs[0],
        "seconds": statistics.median(runs[1:]),
        "first_peak_mb": peaks[1] - peaks[0],
        "peak_mb": peaks[-1] - peaks[1],
        "bytes": len(pdf),
    }


# --- Slot engine at 1,000 and 1,000,000 appointments -------------------------------------


def slots_fill(total: int) -> None:
    """Make the appointment table hold `total` rows: 1,000 for the measured doctor, the rest
    spread over the other doctors (one patient each, 16 a day, 30 minutes apart)."""
    from django.db import connection

    from clinic.models import Doctor, Patient

    measured = Doctor.objects.bookable().order_by("pk").first()
    others = list(
        Doctor.objects.exclude(pk=measured.pk).order_by("pk").values_list("pk", flat=True)
    )
    patients = list(Patient.objects.order_by("pk").values_list("pk", flat=True)[: len(others) + 1])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM scheduling_appointment")
        have = cursor.fetchone()[0]
        if have == 0:  # the measured doctor: 1,000 over ±62 days around today, 8 a day (hourly)
            _insert_lane(cursor, measured.pk, patients[0], 1000, days_before=62, per_day=8)
            have = 1000
        if total > have:  # and, in the large table, 20,000 more: 3.4 years of past visits
            _insert_lane(cursor, measured.pk, patients[0], 20_000, days_before=62 + 1250)
            have += 20_000
        per_doctor = -(-(total - have) // len(others))
        for i, doctor_id in enumerate(others):
            count = min(per_doctor, total - have)
            if count <= 0:
                break
            _insert_lane(cursor, doctor_id, patients[i + 1], count, days_before=per_doctor // 32)
            have += count
        cursor.execute("VACUUM ANALYZE scheduling_appointment")


def _insert_lane(
    cursor, doctor_id: int, patient_id: int, count: int, *, days_before: int, per_day: int = 16
):
    cursor.execute(
        """
        INSERT INTO scheduling_appointment
            (created, updated, start, "end", status, reason, cancel_reason, doctor_id, patient_id)
        SELECT now(), now(), s, s + interval '30 minutes',
               CASE WHEN s < now() THEN 'completed' ELSE 'booked' END, '', '', %s, %s
        FROM generate_series(0, %s - 1) AS k,
             LATERAL (SELECT date_trunc('day', now()) - make_interval(days => %s)
                      + make_interval(days => k / %s, mins => 540 + (k %% %s) * (480 / %s))
                      AS s) AS t
        """,
        [doctor_id, patient_id, count, days_before, per_day, per_day, per_day],
    )


def measure_slots() -> dict:
    from django.utils import timezone

    from clinic.models import Doctor
    from scheduling.models import Appointment
    from scheduling.slots import compute_slots, day_bounds

    doctor = Doctor.objects.bookable().order_by("pk").first()
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    week = (monday, monday + timedelta(days=6))
    compute_slots(doctor, *week)  # connection and caches warm
    times = []
    for _ in range(30):
        started = time.perf_counter()
        compute_slots(doctor, *week)
        times.append(time.perf_counter() - started)
    range_start, _ = day_bounds(week[0])
    _, range_end = day_bounds(week[1])
    query = (  # the engine's appointment query, as compute_slots builds it
        Appointment.objects.occupying()
        .filter(doctor=doctor)
        .overlapping(range_start, range_end)
        .values_list("start", "end")
    )
    plan = " ".join(line.strip() for line in query.explain().splitlines()[:2])
    return {
        "appointments": Appointment.objects.count(),
        "ms": statistics.median(times) * 1000,
        "p95_ms": sorted(times)[int(len(times) * 0.95)] * 1000,
        "plan": plan,
    }


def prepare_slots_db(pg: str, name: str) -> None:
    """A copy of the bench database (doctors, hours, patients) with an empty appointment table."""
    for database, sql in (
        ("postgres", f"DROP DATABASE IF EXISTS {name}"),
        ("postgres", f"CREATE DATABASE {name} TEMPLATE hms_bench"),
        (name, "TRUNCATE scheduling_appointment RESTART IDENTITY CASCADE"),
    ):
        subprocess.run(  # noqa: S603
            ["psql", "-q", f"{pg}/{database}", "-c", sql],  # noqa: S607
            env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
            check=True,
        )


def _count_appointments(pg: str, name: str) -> int | None:
    result = subprocess.run(  # noqa: S603
        ["psql", "-At", f"{pg}/{name}", "-c", "SELECT count(*) FROM scheduling_appointment"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return int(result.stdout) if result.returncode == 0 else None


def slot_engine(pg: str, rounds: int = 5) -> dict:
    """Both sizes in their own database, measured alternately so that a change in the machine's
    load (the other core is shared) hits both the same way."""
    envs = {}
    for size, rows in (("1k", 1000), ("1m", 1_000_000)):
        name = f"{SLOTS_DB}_{size}"
        envs[size] = {"DATABASE_URL": f"{pg}/{name}"}
        if _count_appointments(pg, name) != rows:  # kept between runs: 1M rows take minutes
            prepare_slots_db(pg, name)
            child(f"slots-fill-{size}", envs[size])
    runs: dict[str, list[dict]] = {"1k": [], "1m": []}
    for _ in range(rounds):
        for size, env in envs.items():
            runs[size].append(child("slots-measure", env))
    result = {}
    for size, measured in runs.items():
        result[size] = {
            **measured[-1],
            "ms": statistics.median(m["ms"] for m in measured),
            "p95_ms": statistics.median(m["p95_ms"] for m in measured),
        }
    result["ratio"] = result["1m"]["ms"] / result["1k"]["ms"]
    return result


COMMANDS = {
    "csv-fixture": lambda: {"patient": ensure_csv_fixture().pk},
    "csv-export": measure_csv_export,
    "csv-stream": measure_csv_stream,
    "pdf": measure_pdf,
    "slots-fill-1k": lambda: slots_fill(1000),
    "slots-fill-1m": lambda: slots_fill(1_000_000),
    "slots-measure": measure_slots,
}


def child(name: str, env: dict | None = None) -> dict:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.extras", "--one", name],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"bench.extras {name} failed")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"  {name:<12} {data}", flush=True)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--one", choices=sorted(COMMANDS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        setup_django()
        print(json.dumps(COMMANDS[args.one]() or {}, default=str))
        return
    child("csv-fixture")  # separately (bench/run does it first): it would set the memory peak
    results = {name: child(name) for name in ("csv-export", "csv-stream", "pdf")}
    results["slots"] = slot_engine(args.pg)
    write_json("extras.json", results)


if __name__ == "__main__":
    main()
