"""The settings every service has: shutdown budgets, supervision, the worker pool, the watchdog.

The owner's `Settings` (settings.py) inherits these and adds its own, and so do the settings of
each resource and optional part; the variable of a field is the service's prefix followed by
the field's name in upper case. Defaults are for a production process: tests shorten them
through the environment like any operator would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .config import setting


@dataclass(frozen=True, kw_only=True)
class RuntimeSettings:
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = setting("INFO", "Log level.")
    log_format: Literal["plain", "json"] = setting("plain", "Log lines as text or JSON.")

    shutdown_drain_timeout: float = setting(
        30.0, "Seconds accepted work gets to finish after the first SIGTERM/SIGINT.", minimum=0
    )
    shutdown_cancel_timeout: float = setting(
        5.0, "Seconds each cancelled child gets to unwind once draining is over.", minimum=0.01
    )
    shutdown_margin: float = setting(
        2.0, "Seconds added to all shutdown budgets before the hard deadline exits.", minimum=0
    )
    resource_open_timeout: float = setting(
        10.0, "Seconds a resource may take to open, retries included.", minimum=0.01
    )
    resource_close_timeout: float = setting(
        5.0, "Seconds a resource may take to close.", minimum=0.01
    )
    child_ready_timeout: float = setting(
        10.0, "Seconds a supervised child may take to report ready.", minimum=0.01
    )
    supervisor_strategy: Literal["one_for_one", "one_for_all", "rest_for_one"] = setting(
        "one_for_one", "Which children restart when one exits."
    )
    supervisor_max_restarts: int = setting(
        3, "Restarts allowed within SUPERVISOR_MAX_SECONDS before the service gives up.", minimum=0
    )
    supervisor_max_seconds: float = setting(
        5.0, "The window of the restart limit, in seconds.", minimum=0
    )
    restart_backoff_initial: float = setting(
        0.1, "Seconds before the first restart in a window; doubles for each next.", minimum=0
    )
    restart_backoff_max: float = setting(2.0, "Longest delay between restarts.", minimum=0)
    outage_tolerance: float = setting(
        30.0,
        "Seconds a resource may stay down (intake paused, work held) before the service exits 1.",
        minimum=0,
    )
    loop_lag_interval: float = setting(0.5, "Seconds between event-loop lag checks.", minimum=0.01)
    loop_lag_threshold: float = setting(
        0.1, "Event-loop lag, in seconds, that logs a warning.", minimum=0
    )

    worker_concurrency: int = setting(8, "Jobs handled at the same time.", minimum=1)
    queue_size: int = setting(100, "Jobs waiting at most; the source waits when full.", minimum=1)
    job_timeout: float = setting(10.0, "Seconds one attempt of a job may take.", minimum=0.01)
    job_retries: int = setting(3, "Retries of a job that failed with a retryable error.", minimum=0)
    job_retry_backoff_initial: float = setting(
        0.05, "Seconds before a job's first retry; doubles for each next.", minimum=0
    )
    job_retry_backoff_max: float = setting(1.0, "Longest delay between retries.", minimum=0)
