"""Load the running bench servers with wrk, one page at a time; writes var/bench/load.json.

Logs in over HTTP like a browser (so sessions and CSRF cookies are real), checks each page answers
200, then runs `taskset -c <core> wrk` on each page in turn, in ROUNDS interleaved rounds: each
round loads the bare app's hello and reference page (bench/bare_settings.py, its own gunicorn
server started with the same command) and then every HMS page. bench/report.py divides each page's
requests/second by the bare hello of the same round and reports the median over the rounds with
the lowest and highest.
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
BOOKING_WARMUP = 150  # bookings of each round spent on its warm-up run, the rest measured


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
    parser.add_argument("--bare", default="http://127.0.0.1:8101", help="the bare app's server")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=2)
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
            f"  {name:<36} {data['rps']:8.1f} req/s  p95 {data['p95_us'] / 1000:7.1f} ms",
            flush=True,
        )
        return data

    pages = targets["pages"]
    for page in pages:  # every page answers 200 before anything is measured
        if page.get("server") == "bare":
            continue
        session = sessions[page["user"]] if page["user"] else anonymous
        status, _ = session.get(page["path"])
        if status != 200:
            raise SystemExit(f"{page['name']}: {page['path']} answered {status}, not 200")

    bookings = targets["bookings"][:-1]  # the last one is booked by bench.queries
    per_round = len(bookings) // args.rounds
    results = []
    for round_ in range(1, args.rounds + 1):
        print(f"  -- round {round_} of {args.rounds}", flush=True)
        for page in pages:
            bare = page.get("server") == "bare"
            base = args.bare if bare else args.base
            cookie = sessions[page["user"]].header() if page["user"] else ""
            data = measure(page["name"], base + page["path"], {"BENCH_COOKIE": cookie})
            results.append({**page, "round": round_, **data})
        chunk = bookings[(round_ - 1) * per_round : round_ * per_round]
        warm = write_plan("booking-warmup.tsv", chunk[:BOOKING_WARMUP], sessions)
        plan = write_plan("booking.tsv", chunk[BOOKING_WARMUP:], sessions)
        data = measure(
            "Booking POST", args.base + "/", {"BENCH_PLAN": plan}, warm_env={"BENCH_PLAN": warm}
        )
        results.append({**targets["booking"], "round": round_, **data})
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
