"""Load the running bench server with wrk, one page at a time; writes var/bench/load.json.

Logs in over HTTP like a browser (so sessions and CSRF cookies are real), checks each page answers
200, then runs `taskset -c <core> wrk` on it. hello is measured first and last; the ratio of a page
is its requests/second divided by the mean of the two hello runs.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request

from bench.common import OUT, PASSWORD, ROOT, read_json, write_json

WRK_SCRIPT = ROOT / "bench" / "wrk.lua"
BOOKING_WARMUP = 300  # bookings spent on the warm-up run, the rest on the measured run


class Session:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310 - http only

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310
        return self._open(request)

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:  # 3xx (not followed) and errors
            return exc.code, exc.read().decode(errors="replace")

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login(base: str, email: str) -> Session:
    session = Session(base)
    status, html = session.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if status != 200 or not token:
        raise SystemExit(f"login page answered {status} without a CSRF token")
    status, _ = session.post(
        "/accounts/login/",
        {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    if status != 302 or not session.cookie("sessionid"):
        raise SystemExit(f"login as {email} failed (HTTP {status})")
    return session


def run_wrk(url: str, *, seconds: int, connections: int, core: str, env: dict) -> dict:
    command = [
        "taskset",
        "-c",
        core,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_SCRIPT),
        url,
    ]
    result = subprocess.run(  # noqa: S603 - fixed command line
        command, capture_output=True, text=True, env={**os.environ, **env}, check=True
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    return data


def write_plan(name: str, bookings: list[dict], sessions: dict[str, Session]) -> str:
    path = OUT / name
    with path.open("w") as out:
        for b in bookings:
            session = sessions[b["email"]]
            body = urllib.parse.urlencode(
                {
                    "date": b["date"],
                    "slot": b["slot"],
                    "reason": "bench booking",
                    "csrfmiddlewaretoken": session.cookie("csrftoken"),
                }
            )
            out.write(f"/scheduling/book/{b['doctor']}/\t{session.header()}\t{body}\n")
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8100")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--core", default="1")
    parser.add_argument("--out", default="load.json", help="file name under var/bench/")
    args = parser.parse_args()
    targets = read_json("targets.json")
    emails = {p["user"] for p in targets["pages"] if p["user"]} | {
        b["email"] for b in targets["bookings"]
    }
    load_before = os.getloadavg()
    sessions = {email: login(args.base, email) for email in sorted(emails)}
    anonymous = Session(args.base)

    def measure(name: str, url: str, env: dict, warm_env: dict | None = None) -> dict:
        run_wrk(
            url,
            seconds=args.warmup,
            connections=args.connections,
            core=args.core,
            env=warm_env or env,
        )
        data = run_wrk(
            url, seconds=args.seconds, connections=args.connections, core=args.core, env=env
        )
        print(
            f"  {name:<32} {data['rps']:8.1f} req/s  p95 {data['p95_us'] / 1000:7.1f} ms",
            flush=True,
        )
        return data

    results = []
    pages = targets["pages"]
    for page in [*pages, pages[0]]:
        session = sessions[page["user"]] if page["user"] else anonymous
        status, _ = session.get(page["path"])
        if status != 200:
            raise SystemExit(f"{page['name']}: {page['path']} answered {status}, not 200")
        cookie = session.header() if page["user"] else ""
        data = measure(page["name"], args.base + page["path"], {"BENCH_COOKIE": cookie})
        results.append({**page, **data})

    bookings = targets["bookings"]  # the last one is booked by bench.queries
    warm = write_plan("booking-warmup.tsv", bookings[:BOOKING_WARMUP], sessions)
    plan = write_plan("booking.tsv", bookings[BOOKING_WARMUP:-1], sessions)
    data = measure(
        "Booking POST", args.base + "/", {"BENCH_PLAN": plan}, warm_env={"BENCH_PLAN": warm}
    )
    results.append(
        {
            "name": "Booking POST",
            "user": "bulk patients",
            "path": "/scheduling/book/<doctor>/",
            "target": 0.20,
            "kind": "booking",
            **data,
        },
    )
    write_json(
        args.out,
        {
            "args": vars(args),
            "loadavg": [load_before, os.getloadavg()],
            "finished": time.strftime("%Y-%m-%d %H:%M %Z"),
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
