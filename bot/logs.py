"""Logging: readable lines for people, one JSON object a line for log platforms.

Every record carries the workspace and request it belongs to, where known (bot/log_context.py),
and Slack tokens are masked in whatever is written, tracebacks included.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import TextIO

from bot import log_context

# Bot, user, app-level and configuration tokens: xoxb-…, xoxp-…, xoxa-…, xoxr-…, xapp-…
TOKEN = re.compile(r"\b(xox[abeoprs]|xapp)-[A-Za-z0-9-]+")


def redact(text: str) -> str:
    return TOKEN.sub(lambda match: f"{match.group(1)}-[redacted]", text)


class ContextFilter(logging.Filter):
    """Stamps each record with the workspace and request of the work that logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.team_id = log_context.team_id.get()
        record.request_id = log_context.request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """`2026-11-24 09:00:01,123 INFO bot.scheduler [T0001 3f2a…]: message`"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(where)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        known = [value for value in (_get(record, "team_id"), _get(record, "request_id")) if value]
        record.where = f" [{' '.join(known)}]" if known else ""
        return redact(super().format(record))


# What every record has; anything else on a record came from `extra=` and is worth keeping.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "where",
    "team_id",
    "request_id",
}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601 UTC), level, logger, message, team_id,
    request_id, any `extra=` fields, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in ("team_id", "request_id"):
            if value := _get(record, field):
                entry[field] = value
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return redact(json.dumps(entry, ensure_ascii=False, default=str))


def configure_logging(*, level: str, log_format: str, stream: TextIO | None = None) -> None:
    """Replace the root logger's handlers with one that writes `log_format` ("text" or
    "json") to `stream` (stderr by default)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # APScheduler logs two INFO lines per job run (each minute, in every scheduler process):
    # noise beside our own "tip sent" lines. Its warnings and job errors still come through.
    logging.getLogger("apscheduler").setLevel("DEBUG" if level == "DEBUG" else "WARNING")


def _get(record: logging.LogRecord, name: str) -> str | None:
    value = getattr(record, name, None)
    return None if value is None else str(value)
