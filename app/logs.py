"""Structured logs: one JSON object per line on stderr, for log shippers and schedulers to read."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from warehouse.settings import environment


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_json_logging() -> None:
    """Every logger, werkzeug's and gunicorn's error log included, as JSON lines; SAFEGUARD_LOG_LEVEL sets the level."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(environment().log_level.upper())
    for name in ("werkzeug", "gunicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
