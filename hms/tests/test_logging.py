import json
import logging
from datetime import timedelta

from hms.logging import JsonFormatter


def test_log_lines_are_json_with_extra_fields():
    record = logging.makeLogRecord(
        {"name": "hms.test", "levelname": "WARNING", "msg": "slot %s taken", "args": ("09:00",)}
    )
    record.appointment_id = 42

    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "slot 09:00 taken"
    assert line["level"] == "WARNING"
    assert line["appointment_id"] == 42
    assert line["time"].endswith("+00:00")


TOKEN = "AbCd_-12" + "s3cr3t" * 7
FEED_PATH = f"/scheduling/feeds/{TOKEN}.ics"


def test_log_lines_never_carry_a_calendar_feeds_secret():
    record = logging.makeLogRecord(
        {"name": "django.request", "levelname": "WARNING", "msg": "Not Found: %s",
         "args": (FEED_PATH,)}
    )  # fmt: skip
    record.request = f"<WSGIRequest: GET '{FEED_PATH}'>"

    line = JsonFormatter().format(record)

    assert "s3cr3t" not in line
    assert "/scheduling/feeds/AbCd_-12***.ics" in json.loads(line)["message"]


def test_the_plain_text_format_redacts_too():
    from hms.logging import RedactingFormatter

    record = logging.makeLogRecord({"msg": "Too Many Requests: %s", "args": (FEED_PATH,)})
    assert "s3cr3t" not in RedactingFormatter("%(message)s").format(record)


def test_gunicorns_access_log_never_carries_a_calendar_feeds_secret():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from hms.gunicorn_conf import RedactingLogger

    environ = {"RAW_URI": FEED_PATH, "PATH_INFO": FEED_PATH, "REQUEST_METHOD": "GET",
               "SERVER_PROTOCOL": "HTTP/1.1"}  # fmt: skip
    request = SimpleNamespace(headers=[], method="GET", uri=FEED_PATH, path=FEED_PATH, query="",
                              version=(1, 1))  # fmt: skip
    response = SimpleNamespace(status="200 OK", headers=[], sent=10, response_length=10)

    atoms = RedactingLogger(Config()).atoms(response, request, environ, timedelta(seconds=0.01))

    assert "s3cr3t" not in json.dumps(atoms, default=str)
    assert atoms["U"] == "/scheduling/feeds/AbCd_-12***.ics"
