"""Logs are JSON lines: a scheduler or log shipper reads them without parsing prose."""

from __future__ import annotations

import json
import logging

from app.logs import JsonFormatter


def test_a_log_record_is_one_json_object_with_its_exception():
    try:
        raise ValueError("bad extract")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "app", logging.ERROR, __file__, 1, "load %s failed", ("7",), sys.exc_info()
        )
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["level"], entry["logger"], entry["message"]) == ("error", "app", "load 7 failed")
    assert entry["exception"].splitlines()[-1] == "ValueError: bad extract"
    assert entry["time"].endswith("+00:00")
