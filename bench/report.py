"""The benchmark's results as Markdown (the tables of docs/performance.md), from var/bench/."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from pathlib import Path

from bench.common import OUT, read_json

ORDER = [
    "Login page",
    "Doctor directory",
    "Slot picker (one doctor-day)",
    "Booking POST",
    "Doctor's today schedule",
    "Patient history",
    "Admin appointment list",
    "Admin analytics dashboard",
]


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


def pages_table(load: dict, queries: dict) -> list[str]:
    hellos = [r for r in load["results"] if r["name"] == "hello"]
    hello = statistics.mean(r["rps"] for r in hellos)
    by_name = {r["name"]: r for r in load["results"] if r["name"] != "hello"}
    rates = " and ".join(f"{r['rps']:.0f}" for r in hellos)
    p95s = " and ".join(f"{r['p95_us'] / 1000:.1f}" for r in hellos)
    lines = [
        f"hello baseline: {rates} req/s (first and last run; mean {hello:.0f}), p95 {p95s} ms.",
        "",
        "| Page | req/s | p95 ms | ratio to hello | target | result | SQL queries |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for name in ORDER:
        r = by_name.get(name)
        if r is None:
            continue
        ratio = r["rps"] / hello
        ok = "pass" if ratio >= r["target"] else "**FAIL**"
        q = queries.get(name, {})
        sql = f"{q.get('warm', '?')}" + (
            f" ({q['cold']} cold)" if q and q.get("cold") != q.get("warm") else ""
        )
        lines.append(
            f"| {name} | {r['rps']:.1f} | {r['p95_us'] / 1000:.1f} | {ratio:.3f} | "
            f"≥ {r['target']:.2f} ({r['kind']}) | {ok} | {sql} |"
        )
    booking = by_name.get("Booking POST")
    if booking:
        lines += [
            "",
            f"Booking POST: {booking['requests']} requests, {booking['redirects']} booked "
            f"(302), {booking['ok']} answered 200 (form error), "
            f"{booking['client_errors'] + booking['server_errors']} errors, "
            f"plan wrapped {booking['wrapped']} times.",
        ]
    return lines


def _rates(load: dict) -> tuple[float, dict]:
    hello = statistics.mean(r["rps"] for r in load["results"] if r["name"] == "hello")
    return hello, {r["name"]: r for r in load["results"] if r["name"] != "hello"}


def ab_table(before: dict, after: dict) -> list[str]:
    """Two load runs back to back: the code before the fixes and after (bench/run --ab)."""
    hb, rb = _rates(before)
    ha, ra = _rates(after)
    lines = [
        f"hello: {hb:.0f} req/s before, {ha:.0f} after.",
        "",
        "| Page | req/s before | ratio before | req/s after | ratio after |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in ORDER:
        if name in rb and name in ra:
            b, a = rb[name]["rps"], ra[name]["rps"]
            lines.append(f"| {name} | {b:.1f} | {b / hb:.3f} | {a:.1f} | {a / ha:.3f} |")
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
            f"{load['args']['seconds']} s per page after {load['args']['warmup']} s warm-up. "
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
