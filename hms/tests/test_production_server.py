"""A real gunicorn in production mode answers with the security headers a hospital needs."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prod")
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_DEBUG": "false",
        "DJANGO_TESTING": "false",
        "SECRET_KEY": "prod-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0-unique-and-long",
        "ALLOWED_HOSTS": "127.0.0.1",
        "USE_X_FORWARDED_PROTO": "true",
        "STATIC_ROOT": str(tmp / "static"),
        "HMS_VAR_DIR": str(tmp / "var"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    env.pop("DATABASE_URL", None)  # a throwaway SQLite file is enough for headers
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=180,
        )
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:hms.gunicorn_conf", "hms.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url, **headers):
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        return opener.open(request, timeout=5)
    except urllib.error.HTTPError as exc:
        return exc


def test_plain_http_is_redirected_to_https(server):
    response = _get(server + "/accounts/login/")
    assert response.status == 301
    assert response.headers["Location"].startswith("https://")


def test_https_pages_carry_the_security_headers(server):
    response = _get(server + "/accounts/login/", **{"X-Forwarded-Proto": "https"})
    h = response.headers
    assert response.status == 200
    assert h["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in h["Strict-Transport-Security"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "same-origin"
    cookies = h.get_all("Set-Cookie") or []
    csrf = next(c for c in cookies if c.startswith("csrftoken="))
    assert "Secure" in csrf and "SameSite=Lax" in csrf


def test_healthz_is_exempt_from_the_https_redirect(server):
    # Load balancers probe over plain HTTP on the private network.
    assert _get(server + "/healthz").status == 200


def test_static_files_are_served_compressed_with_long_cache(server):
    page = _get(server + "/accounts/login/", **{"X-Forwarded-Proto": "https"}).read().decode()
    css = page.split('href="/static/vendor/bootstrap/')[1].split('"')[0]
    response = _get(
        server + "/static/vendor/bootstrap/" + css,
        **{"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"},
    )
    assert response.status == 200
    assert response.headers["Content-Encoding"] in ("gzip", "br")
    assert "max-age=315360000" in response.headers["Cache-Control"]
