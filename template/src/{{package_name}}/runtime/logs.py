"""Lifecycle logging: every line on stderr, each lifecycle line carrying `event=<name>`.

Plain text for people (`event=ready children=2`), JSON for machines (`LOG_FORMAT=json`), from
the same call: `event(logger, "ready", children=2)`.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["plain", "json"]


def event(
    logger: logging.Logger,
    name: str,
    /,
    *,
    level: int = logging.INFO,
    exc_info: BaseException | None = None,
    **fields: object,
) -> None:
    """Log one lifecycle event with its fields.

    Args:
        logger: where to log.
        name: the event name, e.g. "ready" or "stopped".
        level: the log level.
        exc_info: an exception whose traceback is logged with the line.
        fields: values shown as `key=value` (plain) or as JSON keys.
    """
    if not logger.isEnabledFor(level):
        return
    text = " ".join([f"event={name}", *(f"{key}={_plain(value)}" for key, value in fields.items())])
    logger.log(level, text, exc_info=exc_info, extra={"event": name, "fields": fields})


def _plain(value: object) -> str:
    text = str(value)
    if not text or any(c.isspace() or c in '"=' for c in text):
        return json.dumps(text)
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, event and its fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (name := getattr(record, "event", None)) is not None:
            payload["event"] = name
            payload.update(getattr(record, "fields", {}))
        if record.exc_info:
            payload["traceback"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


def configure(level: str, log_format: LogFormat) -> None:
    """Send every log line to stderr at `level`, as plain text or JSON.

    Args:
        level: a logging level name such as "INFO".
        log_format: "plain" or "json".
    """
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def flush() -> None:
    """Flush every handler: the hard deadline calls this right before `os._exit`."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stderr.flush()


def stack_of(task: asyncio.Task[Any]) -> str:
    """Return where `task` is suspended, for the log line of a task that will not stop."""
    out = io.StringIO()
    task.print_stack(file=out)
    return out.getvalue()
