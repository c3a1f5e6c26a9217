"""How the service is doing: readiness, liveness, event-loop lag and the work it accounted for.

Readiness answers "send me work?": false until every child is ready and again from the first
shutdown signal. Liveness answers "am I stuck?": the loop-lag watchdog ticks it, so a loop
blocked by synchronous code shows up both as a log line and as a stale tick.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .breaker import Breakers
from .logs import event
from .supervisor import Child

logger = logging.getLogger(__name__)

PROBES = frozenset({"/healthz", "/readyz"})
# Served beside the probes when the service exports metrics (`Health.scrape` is set).
METRICS = "/metrics"
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Upper bounds, in seconds, of the job duration buckets; the last bucket is unbounded.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Durations:
    """How long jobs took, counted into fixed buckets: the job duration histogram.

    A list of ints and a float, not a metrics library's histogram: the pool observes every
    job, and this costs a fifth of `prometheus_client.Histogram.observe` (no lock: every
    observation runs on the event loop's thread).
    """

    __slots__ = ("bounds", "counts", "total")

    def __init__(self, bounds: tuple[float, ...] = DURATION_BUCKETS) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.total = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, seconds)] += 1
        self.total += seconds


@dataclass
class JobCounts:
    """Work accepted and how it ended; what is neither completed, failed nor dead (set aside
    in a durable source's dead letters) was abandoned."""

    accepted: int = 0
    completed: int = 0
    failed: int = 0
    dead: int = 0
    retried: int = 0  # attempts that failed and were tried again
    running: int = 0  # jobs a worker is handling now; the rest of `abandoned` is queued
    # Set when the service exports metrics: the pool then times every job.
    durations: Durations | None = None

    @property
    def abandoned(self) -> int:
        return self.accepted - self.completed - self.failed - self.dead


@dataclass
class Health:
    """Shared state read by probes and the exit summary, written by the runtime."""

    ready: bool = False
    draining: bool = False
    last_tick: float = field(default_factory=time.monotonic)
    last_lag: float = 0.0
    max_lag: float = 0.0
    jobs: JobCounts = field(default_factory=JobCounts)
    # Readiness is also false while a resource's breaker is open: see `serving`.
    breakers: Breakers = field(default_factory=Breakers)
    # Restarts per child since the start, counted by the supervisor.
    restarts: collections.Counter[str] = field(default_factory=collections.Counter)
    # The metrics exposition (text format 0.0.4) when the service exports metrics.
    scrape: Callable[[], Awaitable[bytes]] | None = None

    def live(self, stale_after: float) -> bool:
        """True while the loop-lag watchdog has ticked within `stale_after` seconds."""
        return time.monotonic() - self.last_tick < stale_after

    @property
    def serving(self) -> bool:
        """Ready, and no resource is down: what /readyz answers."""
        return self.ready and not self.breakers.open

    def set_ready(self) -> None:
        self.ready = not self.draining

    def set_draining(self) -> None:
        self.draining = True
        self.ready = False


async def watch_loop_lag(
    child: Child, health: Health, *, interval: float, threshold: float
) -> None:
    """Wake every `interval` seconds and log when the loop woke late by more than `threshold`.

    A late wake-up means something ran on the loop without awaiting: a blocking call, a long
    computation. Run it as a supervised child; it returns when asked to stop.

    Args:
        child: this child's handle from the supervisor.
        health: where the tick and the lag are recorded.
        interval: seconds between wake-ups.
        threshold: lag in seconds that is worth a warning.
    """
    loop = asyncio.get_running_loop()
    child.ready()
    began = loop.time()
    while await child.sleep(interval):
        lag = max(0.0, loop.time() - began - interval)
        began = loop.time()
        health.last_tick = time.monotonic()
        health.last_lag = lag
        health.max_lag = max(health.max_lag, lag)
        if lag > threshold:
            event(logger, "loop_blocked", level=logging.WARNING, seconds=round(lag, 3))


def probe(path: str, health: Health, window: float) -> tuple[int, dict[str, str]]:
    """The answer to a probe: /healthz is 200 while the loop watchdog ticked within `window`
    seconds; /readyz is 200 once every child is ready, 503 before, while draining and while
    a resource is down (its breaker is open).

    Args:
        path: "/healthz" or "/readyz".
        health: the runtime's health.
        window: seconds without a watchdog tick after which the loop counts as stuck.
    """
    if path == "/healthz":
        return (200, {"status": "live"}) if health.live(window) else (503, {"status": "stale"})
    if health.serving:
        return 200, {"status": "ready"}
    if health.ready:
        return 503, {"status": "resource_down", "resources": ",".join(health.breakers.open)}
    return 503, {"status": "draining" if health.draining else "starting"}
