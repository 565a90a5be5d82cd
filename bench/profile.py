"""Profile one bench page with pyinstrument: `python -m bench.profile "Patient history" -n 50`.

Requests the page through Django's test client (full middleware, bench database and settings,
as bench/run sets them) and prints where the time goes. Page names are those of targets.json.
"""

from __future__ import annotations

import argparse
import time

from bench.common import read_json, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("page")
    parser.add_argument("-n", type=int, default=50, help="requests to profile")
    parser.add_argument("--html", help="write the profile as HTML to this file")
    parser.add_argument("--all", action="store_true", help="show library frames too")
    args = parser.parse_args()
    setup_django()
    from django.test import Client
    from pyinstrument import Profiler

    from accounts.models import User

    page = next(p for p in read_json("targets.json")["pages"] if p["name"] == args.page)
    client = Client()
    if page["user"]:
        client.force_login(User.objects.get(email=page["user"]))
    for _ in range(5):
        client.get(page["path"])
    started = time.perf_counter()
    for _ in range(args.n):
        client.get(page["path"])
    per_request = (time.perf_counter() - started) / args.n * 1000
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(args.n):
            client.get(page["path"])
    print(f"{args.page}: {per_request:.2f} ms a request (unprofiled, test client)")
    if args.html:
        with open(args.html, "w") as out:
            out.write(profiler.output_html())
    print(profiler.output_text(unicode=True, color=False, show_all=args.all))


if __name__ == "__main__":
    main()
