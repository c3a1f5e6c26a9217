"""No-op jobs per second through the service's worker pool with its metrics on and off.

Run by the interpreter of a project rendered with `metrics=prometheus`:

    python metrics_throughput.py PACKAGE --jobs N --rounds R [--scrape SECONDS]

and prints one JSON object: {"on": [jobs/s, ...], "off": [jobs/s, ...], "scrape"}, one rate
per round and side.

Both sides are `throughput.py`'s service side: the real `WorkerPool` under the real
`Supervisor`, N no-op jobs. The "on" side wires the metrics as `run(metrics=...)` does (the
pool then times every job into the duration histogram) and a third child renders the whole
exposition every `--scrape` seconds (default 1, more often than Prometheus's usual 15 s or
more), so the cost of a scrape counts too. The "off" side is the pool of a service without
metrics. Rounds alternate which side goes first, each on a fresh event loop; a first warm-up
round of each is discarded.
"""

from __future__ import annotations

import argparse
import importlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

# The script beside this one, found through sys.path[0] when run as a script.
from throughput import noop, rate  # type: ignore[import-not-found]


def through_pool(
    package: str, settings: Any, jobs: int, scrape_every: float | None
) -> Callable[[], Awaitable[int]]:
    runtime = importlib.import_module(f"{package}.runtime")
    metrics = importlib.import_module(f"{package}.runtime.metrics")

    async def run() -> int:
        health = runtime.Health()
        children = []
        if scrape_every is not None:
            scrape = metrics.observe(health, runtime.Lifespan())

            async def scraper(child: Any) -> None:
                child.ready()
                while await child.sleep(scrape_every):
                    await scrape()

            children.append(runtime.ChildSpec("scraper", scraper))
        pool = runtime.WorkerPool(noop, health.jobs, settings)

        async def feed(child: Any) -> None:
            child.ready()
            for number in range(jobs):
                await pool.submit(runtime.Job(number, ""))
            supervisor.stop()
            await child.stopping.wait()

        supervisor = runtime.Supervisor(
            [*children, runtime.ChildSpec("workers", pool.run), runtime.ChildSpec("feed", feed)]
        )
        await supervisor.run()
        return int(health.jobs.completed)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("package")
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scrape", type=float, default=1.0)
    args = parser.parse_args()
    settings = importlib.import_module(f"{args.package}.settings").Settings()
    sides = {
        "on": through_pool(args.package, settings, args.jobs, args.scrape),
        "off": through_pool(args.package, settings, args.jobs, None),
    }
    rates: dict[str, list[float]] = {"on": [], "off": []}
    for round_number in range(args.rounds + 1):  # round 0 warms up and is discarded
        order = ("on", "off") if round_number % 2 == 0 else ("off", "on")
        for name in order:
            measured = rate(sides[name], args.jobs, None)
            if round_number:
                rates[name].append(measured)
    print(json.dumps({**rates, "scrape": args.scrape}))


if __name__ == "__main__":
    main()
