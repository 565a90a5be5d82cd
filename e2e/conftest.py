"""Browser journeys: Debian's Chromium, driven by Playwright, against a live server on PostgreSQL.

The browser is started here with Playwright's sync API rather than pytest-playwright's session
fixtures: Playwright keeps an asyncio loop running on the main thread while it is alive, and
Django refuses ORM calls while a loop runs (SynchronousOnlyOperation). So the browser lives only
as long as one journey module, and Django's guard is relaxed only for that time — the rest of the
suite runs exactly as without these tests. pytest-playwright's `--headed` and `--slowmo`
options are honoured for watching a journey locally.
"""

import importlib.util
import json
import os
import shutil
import zoneinfo
from datetime import UTC, datetime
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parent.parent
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
SIZES = {"desktop": DESKTOP, "tablet": TABLET, "phone": PHONE}


# Without Playwright the journey modules cannot even be imported: leave them out, and say so in
# the summary, rather than fail collection — except in CI, where that import error must fail.
NO_PLAYWRIGHT = importlib.util.find_spec("playwright") is None
collect_ignore_glob = ["test_*.py"] if NO_PLAYWRIGHT and not os.environ.get("CI") else []


def artifacts_dir() -> Path:
    path = Path(os.environ.get("E2E_ARTIFACTS") or ROOT / "var" / "e2e-artifacts")
    return path if path.is_absolute() else ROOT / path


def _missing() -> str | None:
    """Why the journeys cannot run here, or None."""
    if NO_PLAYWRIGHT:
        return "Playwright is not installed (pip install -r requirements-dev.txt)"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if not AXE.exists():
        return f"axe-core is missing: run `npm ci` in {AXE.parents[2]}"
    return None


def pytest_collection_modifyitems(config, items):
    # In CI a journey that silently skips is a journey that silently stopped being checked: there
    # the `chromium` fixture fails instead.
    e2e = [item for item in items if Path(str(item.fspath)).is_relative_to(Path(__file__).parent)]
    reason = _missing() if e2e and not os.environ.get("CI") else None
    for item in e2e if reason else ():
        item.add_marker(pytest.mark.skip(reason=f"browser journeys: {reason}"))


def pytest_terminal_summary(terminalreporter):
    if collect_ignore_glob:
        terminalreporter.write_line(f"browser journeys (e2e/) not run: {_missing()}")
    if getattr(terminalreporter.config, "_e2e_used_artifacts", False):
        terminalreporter.write_sep("-", "browser journeys")
        terminalreporter.write_line(f"E2E artifacts (screenshots): {artifacts_dir()}")


@pytest.fixture(scope="module")
def chromium(request):
    if reason := _missing():
        pytest.fail(f"browser journeys cannot run: {reason}")
    from playwright.sync_api import sync_playwright

    def option(name, default):
        try:
            return request.config.getoption(name)
        except ValueError:  # pytest-playwright not installed
            return default

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM),
                args=CHROMIUM_ARGS,
                headless=not option("--headed", False),
                slow_mo=option("--slowmo", 0),
            )
            yield browser
            browser.close()


@pytest.fixture
def new_page(chromium, live_server):
    """new_page(): a page in a fresh browser context (own cookies), desktop size."""
    contexts = []

    def make():
        context = chromium.new_context(
            base_url=live_server.url,
            viewport=DESKTOP,
            accept_downloads=True,
            locale="en-GB",
            # Bootstrap then skips its colour transitions: axe and screenshots see settled colours.
            reduced_motion="reduce",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
        page.on(
            "console",
            lambda msg: (
                page.problems.append(f"console: {msg.text} @ {page.url} {msg.location}")
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shots(request):
    """shots(page, name, sizes=("desktop", "phone"), fits=False): full-page screenshots at those
    widths (of SIZES), numbered in order, then back to desktop size; with `fits`, no width may
    scroll sideways."""
    folder = artifacts_dir() / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    request.config._e2e_used_artifacts = True
    counter = iter(range(1, 100))

    def shoot(page, name: str, sizes=("desktop", "phone"), fits: bool = False) -> None:
        n = next(counter)
        for label in sizes:
            page.set_viewport_size(SIZES[label])
            page.screenshot(path=folder / f"{n:02d}-{name}-{label}.png", full_page=True)
            if fits:
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= SIZES[label]["width"], f"{name} scrolls sideways at {label} width"
        page.set_viewport_size(DESKTOP)

    return shoot


@pytest.fixture
def axe():
    """axe(page): run axe-core on the page; fail on serious or critical violations."""
    source = AXE.read_text()

    def check(page) -> None:
        # evaluate() is not subject to the page's Content-Security-Policy; a script tag would be.
        page.evaluate(source)
        result = page.evaluate("async () => await axe.run(document)")
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, f"accessibility violations on {page.url}:\n" + json.dumps(
            [
                {
                    "rule": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [n["target"] for n in v["nodes"]][:5],
                    "summary": v["nodes"][0].get("failureSummary", ""),
                }
                for v in bad
            ],
            indent=2,
        )

    return check


@pytest.fixture
def hospital_late_morning(settings):
    """Make it late morning at the hospital, whatever the time of the run.

    Server and browser run on the real clock (frozen time would expire the browser's cookies), so
    instead the hospital's time zone is chosen so that it is 11:xx there: today then always has
    bookable times after the minimum notice, and a booking tomorrow is far beyond the
    cancellation cut-off. Etc/GMT zone names have the sign reversed (Etc/GMT-3 is UTC+3).
    """
    offset = 11 - datetime.now(UTC).hour  # -12..+11: every value is a real zone
    settings.TIME_ZONE = f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"
    zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return settings.TIME_ZONE
