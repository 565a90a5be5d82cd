import json
import logging

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
