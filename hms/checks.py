"""System checks for settings that work on one process and fail quietly on several."""

from __future__ import annotations

import multiprocessing
import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

PER_PROCESS = "django.core.cache.backends.locmem.LocMemCache"
HINT = (
    "Set REDIS_URL: permissions, the doctor directory, free slots and rate limits are cached "
    "and invalidated through the cache, which each process would then hold on its own."
)


def _cache_is_per_process() -> bool:
    return settings.CACHES["default"]["BACKEND"] == PER_PROCESS


def web_processes() -> int:
    """How many web processes gunicorn would start (hms/gunicorn_conf.py)."""
    configured = os.environ.get("GUNICORN_WORKERS")
    if configured:
        return int(configured)
    return 1 if settings.DEBUG else multiprocessing.cpu_count() * 2 + 1


@register(Tags.caches)
def shared_cache_for_several_processes(app_configs=None, **kwargs) -> list:
    if _cache_is_per_process() and web_processes() > 1:
        return [
            Warning(
                f"The cache is local to each process, but {web_processes()} web processes may "
                "run (GUNICORN_WORKERS).",
                hint=HINT,
                id="hms.W001",
            )
        ]
    return []


@register(Tags.caches, deploy=True)
def production_needs_a_shared_cache(app_configs=None, **kwargs) -> list:
    if _cache_is_per_process():
        return [
            Error(
                "Production needs a cache shared by every web process and worker.",
                hint=HINT,
                id="hms.E001",
            )
        ]
    return []
