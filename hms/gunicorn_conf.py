"""gunicorn settings: `gunicorn -c python:hms.gunicorn_conf hms.wsgi`. Tune with the env vars."""

import multiprocessing
import os

from gunicorn.glogging import Logger

from hms.logging import redact

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never takes a node down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200


def on_starting(server) -> None:
    if workers > 1 and not os.environ.get("REDIS_URL"):
        server.log.warning(
            "%s web processes without REDIS_URL: each process caches on its own, so permission "
            "changes and invalidations reach only one of them. Set REDIS_URL (or "
            "GUNICORN_WORKERS=1).",
            workers,
        )


class RedactingLogger(Logger):
    """gunicorn's access log without the secret part of calendar feed addresses."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}


logger_class = RedactingLogger
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
