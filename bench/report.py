"""The benchmark's results as Markdown (the tables of docs/performance.md), from var/bench/."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from pathlib import Path

from bench.common import OUT, read_json


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((x.split(":", 1)[1].strip() for x in cpuinfo if x.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem = next(x.split()[1] for x in meminfo if x.startswith("MemTotal"))
    pg = _run(["psql", os.environ.get("DATABASE_URL", ""), "-Atc", "show server_version"])
    redis = _run(["redis-server", "--version"]).split(" v=")[-1].split()[0]
    return (
        f"{cpu}, {os.cpu_count()} cores, {int(mem) / 1024 / 1024:.1f} GB RAM; "
        f"Linux {platform.release()}; Python {platform.python_version()}; "
        f"PostgreSQL {pg}; Redis {redis}"
    )


def _run(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603
    except OSError:
        return "?"


def rounds_of(load: dict) -> dict[int, dict[str, dict]]:
    """{round: {page name: result}}."""
    rounds: dict[int, dict[str, dict]] = {}
    for r in load["results"]:
        rounds.setdefault(r.get("round", 1), {})[r["name"]] = r
    return rounds


def spread(values: list[float], digits: int = 3) -> str:
    """Median (min–max)."""
    med = statistics.median(values)
    if len(values) < 2:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def pages_table(load: dict, queries: dict) -> list[str]:
    rounds = rounds_of(load)
    names = list(next(iter(rounds.values())))
    bare = [r["bare"]["rps"] for r in rounds.values()]
    ref = [r["reference"]["rps"] / r["bare"]["rps"] for r in rounds.values()]
    lines = [
        f"{len(rounds)} interleaved rounds. Bare hello (Django, no middleware): "
        f"{spread(bare, 0)} req/s; the reference page (1 query, 20-row table) ÷ bare: "
        f"{spread(ref)}. Medians over the rounds, lowest–highest in brackets.",
        "",
        "| Page | req/s | p95 ms | ÷ bare | ÷ reference | target ÷ bare | result | SQL queries |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for name in names:
        if name in ("bare", "reference"):
            continue
        runs = [r[name] for r in rounds.values() if name in r]
        ratios = [r[name]["rps"] / r["bare"]["rps"] for r in rounds.values() if name in r]
        to_ref = [r[name]["rps"] / r["reference"]["rps"] for r in rounds.values() if name in r]
        target = runs[0].get("target")
        met = ""
        if target is not None:
            met = "met" if statistics.median(ratios) >= target else "**not met**"
        q = queries.get(name, {})
        sql = f"{q.get('warm', '')}" + (
            f" ({q['cold']} cold)" if q and q.get("cold") != q.get("warm") else ""
        )
        lines.append(
            f"| {name} | {statistics.median(r['rps'] for r in runs):.1f} | "
            f"{statistics.median(r['p95_us'] for r in runs) / 1000:.1f} | {spread(ratios)} | "
            f"{spread(to_ref, 2)} | {'' if target is None else f'≥ {target:.3f}'} | {met} | {sql} |"
        )
    bookings = [r["Booking POST"] for r in rounds.values() if "Booking POST" in r]
    if bookings:
        total = {k: sum(b[k] for b in bookings) for k in ("requests", "redirects", "ok", "wrapped")}
        errors = sum(b["client_errors"] + b["server_errors"] for b in bookings)
        lines += [
            "",
            f"Booking POST over the rounds: {total['requests']} requests, {total['redirects']} "
            f"booked (302), {total['ok']} answered 200 (form error), {errors} errors, plan "
            f"wrapped {total['wrapped']} times.",
        ]
    return lines


def ab_table(before: dict, after: dict) -> list[str]:
    """Two load runs back to back: the code before the fixes and after (bench/run --ab)."""
    rb, ra = rounds_of(before), rounds_of(after)
    lines = [
        "| Page | ÷ bare before | ÷ bare after |",
        "|---|---:|---:|",
    ]
    for name in next(iter(ra.values())):
        if name in ("bare", "reference"):
            continue
        b = [r[name]["rps"] / r["bare"]["rps"] for r in rb.values() if name in r]
        a = [r[name]["rps"] / r["bare"]["rps"] for r in ra.values() if name in r]
        if a and b:
            lines.append(f"| {name} | {spread(b)} | {spread(a)} |")
    return lines


def extras_table(extras: dict) -> list[str]:
    lines = ["| Measurement | time | peak memory | notes |", "|---|---:|---:|---|"]
    for key, label in (
        ("csv-export", "History CSV export to file, 100,000 rows (`write_export`)"),
        ("csv-stream", "History CSV streamed download, 100,000 rows (`history_csv`)"),
    ):
        e = extras.get(key)
        if e:
            lines.append(
                f"| {label} | {e['seconds']:.1f} s | +{e['peak_mb']:.1f} MB | "
                f"{e['rows']:,} rows, {e['bytes'] / 1e6:.1f} MB of CSV |"
            )
    p = extras.get("pdf")
    if p:
        lines.append(
            f"| Monthly doctor PDF ({p['month'][:7]}, {p['appointments']} appointments) | "
            f"{p['seconds'] * 1000:.0f} ms (first in a process: {p['first_seconds']:.2f} s) | "
            f"+{p['peak_mb']:.1f} MB (first in a process: +{p.get('first_peak_mb', 0):.0f} MB) | "
            f"{p['bytes'] / 1000:.0f} kB PDF |"
        )
    s = extras.get("slots")
    if s:
        for size in ("1k", "1m"):
            r = s[size]
            lines.append(
                f"| Slot engine, one doctor-week, {r['appointments']:,} appointments in the table "
                f"| {r['ms']:.2f} ms (p95 {r['p95_ms']:.2f}) | | uncached `compute_slots` |"
            )
        lines.append(f"| Slot engine ratio 1,000,000 : 1,000 | {s['ratio']:.2f} | | target ≈ 1 |")
    return lines


def main() -> None:
    targets = read_json("targets.json")
    out = ["## Results", ""]
    if (OUT / "load.json").exists():
        load = read_json("load.json")
        queries = read_json("queries.json") if (OUT / "queries.json").exists() else {}
        before, after = load["loadavg"]
        out += [
            f"Run finished {load['finished']}; wrk -t1 -c{load['args']['connections']}, "
            f"{load['args']['seconds']} s per page after {load['args']['warmup']} s warm-up, "
            f"{load['args'].get('rounds', 1)} rounds. "
            f"Load average {before[0]:.2f} before, {after[0]:.2f} after.",
            "",
            *pages_table(load, queries),
            "",
        ]
    if (OUT / "load-before.json").exists() and (OUT / "load-after-ab.json").exists():
        out += [
            "### Before and after the fixes (back-to-back runs)",
            "",
            *ab_table(read_json("load-before.json"), read_json("load-after-ab.json")),
            "",
        ]
    if (OUT / "extras.json").exists():
        out += ["### Exports, PDF, slot engine", "", *extras_table(read_json("extras.json")), ""]
    out += [
        f"Data set: {targets['facts']}.",
        "",
        f"Machine: {machine()}.",
    ]
    print("\n".join(out))


if __name__ == "__main__":
    main()
