"""CPU per request of the application process for each bench page: `time.process_time` around
Django's test client (the same settings and database as bench/run; SQL time spent waiting on
PostgreSQL is not CPU of this process and is not counted). Best of ROUNDS x REQUESTS. Much less
sensitive to other load on the machine than req/s, so it is the figure to compare two versions of
the code: run it from each checkout, alternating (bench/run --cpu-ab COMMIT does).

    .venv/bin/python -m bench.cpu [--out NAME.json]
    .venv/bin/python -m bench.cpu --before B1.json B2.json --after A1.json A2.json   (a table)
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.common import read_json, setup_django, write_json

ROUNDS, REQUESTS = 5, 40


def page_cpu_ms(client, path: str) -> float:
    client.get(path)  # warm the caches, as under load
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(REQUESTS):
            client.get(path)
        best = min(best, (time.process_time() - start) / REQUESTS * 1000)
    return best


def compare(before: list[str], after: list[str]) -> None:
    """Markdown table of the best (lowest) figure of each side per page."""
    runs = {
        side: [json.loads(Path(f).read_text()) for f in files]
        for side, files in (("before", before), ("after", after))
    }
    print("| Page | before ms CPU | after ms CPU | after ÷ before |")
    print("|---|---:|---:|---:|")
    for page in runs["after"][0]:
        b = min(run.get(page, float("inf")) for run in runs["before"])
        a = min(run[page] for run in runs["after"])
        print(f"| {page} | {b:.2f} | {a:.2f} | {a / b:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="cpu.json")
    parser.add_argument("--before", nargs="+")
    parser.add_argument("--after", nargs="+")
    parser.add_argument("--pages", nargs="+", help="only pages whose name starts so")
    args = parser.parse_args()
    if args.before and args.after:
        compare(args.before, args.after)
        return
    setup_django()
    from django.test import Client

    from accounts.models import User

    results = {}
    for page in read_json("targets.json")["pages"]:
        if page["server"] == "bare":
            continue
        if args.pages and not page["name"].startswith(tuple(args.pages)):
            continue
        client = Client()
        if page["user"]:
            client.force_login(User.objects.get(email=page["user"]))
        results[page["name"]] = round(page_cpu_ms(client, page["path"]), 2)
        print(f"  {page['name']:<32} {results[page['name']]:6.2f} ms CPU")
    write_json(args.out, results)


if __name__ == "__main__":
    main()
