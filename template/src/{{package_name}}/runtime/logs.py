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
import traceback
import types
import weakref
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


def stack_of(task: asyncio.Task[Any], *, follow: bool = True) -> str:
    """Return the await `task` is blocked in, for the log line of a task that will not stop.

    `Task.print_stack` shows only the task's own coroutine frame, which for a supervised child
    is the supervisor's wrapper. This follows the coroutine's `cr_await` chain down to the
    innermost frame instead, and on into the tasks a TaskGroup or `asyncio.wait` is waiting
    for, so the line names the await that hangs.

    Args:
        task: a pending task.
        follow: also describe the tasks it waits for.
    """
    out = io.StringIO()
    _describe(task, out, seen=set(), follow=follow)
    return out.getvalue()


_reported: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()


def first_report(task: asyncio.Task[Any]) -> bool:
    """True the first time it is asked about `task`: a stuck task is reported once.

    Args:
        task: the task about to be reported.
    """
    if task in _reported:
        return False
    _reported.add(task)
    return True


def blocked_leaves(task: asyncio.Task[Any]) -> list[asyncio.Task[Any]]:
    """Return the pending tasks at the bottom of `task`'s await tree: the ones that hold it up.

    A task waiting in a TaskGroup or in `asyncio.wait` is held up by the tasks it waits for;
    a task waiting for anything else (a sleep, a socket, a future) is a leaf.

    Args:
        task: a pending task.
    """
    leaves: list[asyncio.Task[Any]] = []
    todo, seen = [task], set()
    while todo:
        current = todo.pop()
        if id(current) in seen or current.done():
            continue
        seen.add(id(current))
        frames = _await_frames(current.get_coro())
        waited = _tasks_waited_for(frames[-1]) if frames else []
        if waited:
            todo.extend(waited)
        else:
            leaves.append(current)
    return leaves


def _describe(task: asyncio.Task[Any], out: io.StringIO, seen: set[int], *, follow: bool) -> None:
    seen.add(id(task))
    frames = _await_frames(task.get_coro())
    out.write(f"Task {task.get_name()!r} awaits (innermost last):\n")
    summary = traceback.StackSummary.extract((f, f.f_lineno) for f in frames)
    out.writelines(summary.format())
    for other in _tasks_waited_for(frames[-1]) if frames and follow else []:
        if id(other) not in seen:
            _describe(other, out, seen, follow=follow)


def _await_frames(awaitable: object) -> list[types.FrameType]:
    """The suspended frames along a coroutine's await chain, outermost first."""
    frames: list[types.FrameType] = []
    while awaitable is not None and len(frames) < 100:
        frame = getattr(awaitable, "cr_frame", None) or getattr(awaitable, "gi_frame", None)
        if frame is None:
            break
        frames.append(frame)
        awaitable = getattr(awaitable, "cr_await", None) or getattr(awaitable, "gi_yieldfrom", None)
    return frames


def _tasks_waited_for(frame: types.FrameType) -> list[asyncio.Task[Any]]:
    """The pending tasks a TaskGroup exit or `asyncio.wait` suspended in `frame` waits for."""
    local = frame.f_locals
    owner = local.get("self")
    if isinstance(owner, asyncio.TaskGroup):
        waited: object = getattr(owner, "_tasks", ())  # private, hence the defensive reads
    elif frame.f_code.co_name in {"wait", "_wait"} and "fs" in local:
        waited = local["fs"]
    else:
        return []
    if not isinstance(waited, set | list | tuple):
        return []
    return [t for t in waited if isinstance(t, asyncio.Task) and not t.done()]
