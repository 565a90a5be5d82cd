"""A real gunicorn in production mode answers with the security headers a hospital needs."""

import os
import re
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


ROOT_USER = ["--email", "root@example.com", "--first_name", "Root", "--last_name", "User"]
VERIFY_ROOT_EMAIL = (
    "from allauth.account.models import EmailAddress; from accounts.models import User; "
    "u = User.objects.get(email='root@example.com'); "
    "EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)"
)


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
        # Several processes on the embedded defaults (no Redis): sign-out must hold in all.
        "GUNICORN_WORKERS": "3",
    }
    env.pop("DATABASE_URL", None)  # a throwaway SQLite file is enough for headers
    env["DJANGO_SUPERUSER_PASSWORD"] = "prod-test-Passw0rd!"
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["createsuperuser", "--noinput", "-v0", *ROOT_USER],
        # Production requires a verified e-mail address before sign-in.
        ["shell", "-c", VERIFY_ROOT_EMAIL],
    ):
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
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310
                break
            except urllib.error.HTTPError:
                break  # it answers (503 only means a dependency is down: headers still count)
            except (urllib.error.URLError, OSError):  # refused, reset or timed out
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start in production mode")
                time.sleep(0.2)
        yield base
    finally:  # never leave a server behind, whatever happened
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url, data=None, **headers):
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
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


HTTPS = {"X-Forwarded-Proto": "https"}


def test_pages_carry_a_strict_content_security_policy(server):
    first = _get(server + "/accounts/login/", **HTTPS)
    policy = first.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    # A nonce appears only when a page has an inline script that uses it; the login page has none.
    assert re.fullmatch(r"'self'( 'nonce-[\w+/=-]{16,}')?", directives["script-src"])
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    page = first.read().decode()
    assert "<script" in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def _cookies(response) -> dict[str, str]:
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, rest = header.split("=", 1)
        jar[name] = rest
    return jar


def test_sign_in_sets_secure_http_only_cookies_and_staff_must_set_up_two_factor(server):
    login = _get(server + "/accounts/login/", **HTTPS)
    csrf = _cookies(login)["csrftoken"].split(";")[0]
    body = f"csrfmiddlewaretoken={csrf}&login=root%40example.com&password=prod-test-Passw0rd%21"
    signed_in = _get(
        server + "/accounts/login/",
        data=body.encode(),
        Cookie=f"csrftoken={csrf}",
        Referer=server.replace("http://", "https://") + "/accounts/login/",
        **{"Content-Type": "application/x-www-form-urlencoded"},
        **HTTPS,
    )
    assert signed_in.status == 302, signed_in.read()[:500]
    session = _cookies(signed_in)["sessionid"]
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= {p.strip() for p in session.split(";")}

    # Production default: staff (here a superuser) must set up an authenticator app first.
    dashboard = _get(server + "/dashboard/", Cookie=f"sessionid={session.split(';')[0]}", **HTTPS)
    assert dashboard.status == 302
    assert dashboard.headers["Location"] == "/accounts/2fa/totp/activate/"


def test_a_signed_out_session_is_refused_by_every_web_process(server):
    login = _get(server + "/accounts/login/", **HTTPS)
    csrf = _cookies(login)["csrftoken"].split(";")[0]
    body = f"csrfmiddlewaretoken={csrf}&login=root%40example.com&password=prod-test-Passw0rd%21"
    signed_in = _get(
        server + "/accounts/login/",
        data=body.encode(),
        Cookie=f"csrftoken={csrf}",
        Referer=server.replace("http://", "https://") + "/accounts/login/",
        **{"Content-Type": "application/x-www-form-urlencoded"},
        **HTTPS,
    )
    session = _cookies(signed_in)["sessionid"].split(";")[0]
    cookie = f"{session}; csrftoken={csrf}"
    for _ in range(12):  # every process has now seen (and may have cached) the session
        assert _get(server + "/dashboard/", Cookie=cookie, **HTTPS).status == 302

    signed_out = _get(
        server + "/accounts/logout/",
        data=f"csrfmiddlewaretoken={csrf}".encode(),
        Cookie=cookie,
        Referer=server.replace("http://", "https://") + "/dashboard/",
        **{"Content-Type": "application/x-www-form-urlencoded"},
        **HTTPS,
    )
    assert signed_out.status == 302

    answers = [_get(server + "/dashboard/", Cookie=cookie, **HTTPS) for _ in range(40)]
    assert all(a.headers["Location"].startswith("/accounts/login/") for a in answers)


def test_the_error_page_fits_the_content_security_policy():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "<style" not in page and 'style="' not in page
    assert "/static/css/error.css" in page
