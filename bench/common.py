"""Shared bits of the benchmark scripts (run from the repository root: `python -m bench.<x>`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BENCH_OUT", ROOT / "var" / "bench"))
PASSWORD = "hms-demo-2026"  # noqa: S105 - the published demo password of seed_demo


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hms.settings")
    import django

    django.setup()


def write_json(name: str, data) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def read_json(name: str):
    return json.loads((OUT / name).read_text())
