"""Structured logging: one JSON object per line on stdout, ready for any log shipper."""

import json
import logging
import re
from datetime import UTC, datetime

_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# Addresses that carry a secret (a calendar feed's token): logs keep the first 8 characters, which
# find the feed, and never the rest.
_SECRET_IN_PATH = re.compile(r"(/feeds/[A-Za-z0-9_-]{8})[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    """`text` with the secret part of calendar feed addresses replaced by "***"."""
    return _SECRET_IN_PATH.sub(r"\1***", text) if "/feeds/" in text else text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        # Anything passed with `extra={...}` becomes a field of its own.
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                plain = isinstance(value, (str, int, float, bool, type(None)))
                entry[key] = value if plain and not isinstance(value, str) else redact(str(value))
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class RedactingFormatter(logging.Formatter):
    """The plain-text format, with secrets in addresses redacted like the JSON one."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def logging_config(*, level: str, format: str) -> dict:
    """Django's LOGGING: one JSON object a line on stdout ("json"), or plain text ("text")."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "hms.logging.JsonFormatter"},
            "text": {
                "()": "hms.logging.RedactingFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
            },
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": format,
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            "django.security.DisallowedHost": {"level": "ERROR"},
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }
