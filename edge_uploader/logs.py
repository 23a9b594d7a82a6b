"""Structured logs: one JSON object per line on stdout.

Every line has ``ts`` (UTC, ISO 8601; for people, never fed to the chain), ``level``,
``event`` (a short stable name such as ``day_sealed``) and the event's fields. Level
``alert`` is for what the authority or an operator must act on (meter down more than five
days, the chain holding a different root for a day).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

__all__ = ["ALERT", "configure_logging", "log_event", "JsonFormatter"]

ALERT = 45
logging.addLevelName(ALERT, "ALERT")
LOGGER_NAME = "edge_uploader"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        out.update(getattr(record, "fields", {}))
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, sort_keys=False, default=str)


def configure_logging(level: str = "info", stream: Any = None) -> logging.Logger:
    logger = logging.getLogger(LOGGER_NAME)
    logger.handlers.clear()
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False
    return logger


def log_event(level: int, event: str, **fields: Any) -> None:
    logging.getLogger(LOGGER_NAME).log(level, event, extra={"fields": fields})
