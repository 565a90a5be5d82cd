"""Production mode: a missing secret stops startup; `check --deploy` is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_DEBUG": "false", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_secret_key_is_a_startup_error():
    result = _manage("check", ALLOWED_HOSTS="hms.example.org")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("command", ["find_overlaps", "check", "migrate"])
def test_missing_secret_key_says_what_to_set_without_a_traceback(command):
    result = _manage(command, ALLOWED_HOSTS="hms.example.org")

    assert result.returncode != 0
    assert "Set SECRET_KEY (or DJANGO_DEBUG=true for local development)" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_the_ops_commands_before_a_secret_key_is_set():
    listing = _manage("help", ALLOWED_HOSTS="hms.example.org")
    command_help = _manage("find_overlaps", "--help", ALLOWED_HOSTS="hms.example.org")

    assert listing.returncode == 0, listing.stderr
    for command in ("find_overlaps", "export_report", "send_reminders", "sync_roles"):
        assert command in listing.stdout
    assert "only Django core commands are listed" not in listing.stdout + listing.stderr
    assert command_help.returncode == 0, command_help.stderr
    assert "usage: manage.py find_overlaps" in command_help.stdout


def test_check_deploy_is_clean_in_production_mode():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x7#kP2vQ9!mZ4rT8wL1nB6yH3cJ5dF0gS-aE_uI@oK+eR=tY*pW",
        ALLOWED_HOSTS="hms.example.org",
        REDIS_URL="redis://127.0.0.1:6379/15",  # production has a shared cache (not contacted)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_a_shared_cache():
    result = _manage(
        "check",
        "--deploy",
        SECRET_KEY="x7#kP2vQ9!mZ4rT8wL1nB6yH3cJ5dF0gS-aE_uI@oK+eR=tY*pW",
        ALLOWED_HOSTS="hms.example.org",
        REDIS_URL="",
    )

    assert result.returncode != 0
    assert "hms.E001" in result.stderr
