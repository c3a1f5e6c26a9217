"""How many times each figure is measured: `--quick` (under a minute) or the full run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    quick: bool
    lifecycle: int  # service and bare starts, each giving startup, memory and shutdown
    drain: int  # drains of 1,000 queued jobs
    throughput_jobs: int  # no-op jobs per throughput round
    throughput_rounds: int  # rounds of each side, after one warm-up round
    generate: int  # `asyncio-service new` and `copier copy` runs, each
    update: int  # `asyncio-service update` and `copier update` runs, each
    matrix: int  # rounds of (one variant alone, the CI matrix); 0: estimated from one of each
    web_requests: int  # requests per web round
    web_rounds: int  # rounds of each side
    peers: int  # rounds of the peer figures (not part of --quick unless named by --only)
    peers_lifecycle: int  # starts of each system per peers round, for startup and memory


QUICK = Plan(
    quick=True,
    lifecycle=5,
    drain=3,
    throughput_jobs=50_000,
    throughput_rounds=3,
    generate=3,
    update=3,
    matrix=0,
    web_requests=2_000,
    web_rounds=3,
    peers=1,
    peers_lifecycle=1,
)

FULL = Plan(
    quick=False,
    lifecycle=20,
    drain=8,
    throughput_jobs=100_000,
    throughput_rounds=9,
    generate=8,
    update=8,
    matrix=1,
    web_requests=10_000,
    web_rounds=5,
    peers=1,
    peers_lifecycle=3,
)
