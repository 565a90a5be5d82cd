"""CPU per request of the application process for each bench page: `time.process_time` around
Django's test client (the same settings and database as bench/run; SQL time spent waiting on
PostgreSQL is not CPU of this process and is not counted). Best of ROUNDS x REQUESTS. Much less
sensitive to other load on the machine than req/s, so it is the figure to compare two versions of
the code: run it from each checkout, alternating (bench/run --cpu-ab COMMIT does).

    .venv/bin/python -m bench.cpu [--out NAME.json]
"""

from __future__ import annotations

import argparse
import time

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="cpu.json")
    args = parser.parse_args()
    setup_django()
    from django.test import Client

    from accounts.models import User

    results = {}
    for page in read_json("targets.json")["pages"]:
        client = Client()
        if page["user"]:
            client.force_login(User.objects.get(email=page["user"]))
        results[page["name"]] = round(page_cpu_ms(client, page["path"]), 2)
        print(f"  {page['name']:<32} {results[page['name']]:6.2f} ms CPU")
    write_json(args.out, results)


if __name__ == "__main__":
    main()
