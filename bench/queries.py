"""SQL queries per page: each page requested twice with Django's test client against the bench
database (the first request fills caches; the second, warm, count is the one that matters under
load). Writes var/bench/queries.json. Use --show NAME to print the warm queries of one page."""

from __future__ import annotations

import argparse
from collections import Counter

from bench.common import read_json, setup_django, write_json


def count(client, method: str, path: str, data: dict | None = None) -> tuple[int, list[str], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(path, data) if data else getattr(client, method)(path)
    return len(captured), [q["sql"] for q in captured.captured_queries], response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show", help="print the warm queries of the page with this name")
    args = parser.parse_args()
    setup_django()
    from django.test import Client

    from accounts.models import User

    targets = read_json("targets.json")
    results = {}
    for page in targets["pages"]:
        if page["server"] == "bare":
            continue
        client = Client()
        if page["user"]:
            client.force_login(User.objects.get(email=page["user"]))
        cold, _, _ = count(client, "get", page["path"])
        warm, sql, status = count(client, "get", page["path"])
        results[page["name"]] = {"cold": cold, "warm": warm, "status": status}
        if args.show == page["name"]:
            show(sql)
    booking = targets["bookings"][-1]
    client = Client()
    client.force_login(User.objects.get(email=booking["email"]))
    path = f"/scheduling/book/{booking['doctor']}/"
    client.get(path, {"date": booking["date"]})
    data = {"date": booking["date"], "slot": booking["slot"], "reason": "bench booking"}
    warm, sql, status = count(client, "post", path, data)
    results["Booking POST"] = {"cold": warm, "warm": warm, "status": status}
    if args.show == "Booking POST":
        show(sql)
    write_json("queries.json", results)
    for name, r in results.items():
        print(f"  {name:<32} {r['warm']:3d} queries warm, {r['cold']:3d} cold (HTTP {r['status']})")


def show(sql: list[str]) -> None:
    for text, times in Counter(sql).items():
        print(f"--- x{times}\n{text}")


if __name__ == "__main__":
    main()
