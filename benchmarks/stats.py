"""Medians, spreads and paired ratios of repeated measurements.

Design note. Every figure is measured beside its baseline in the same run, the two alternating
(figure, baseline, baseline, figure, ...), so slow drift of the machine (thermal state, page
cache, another process) falls on both. The ratio is therefore the median of the *paired*
ratios, each taken from two neighbouring measurements, not the ratio of two medians taken
minutes apart. The spread reported beside a median is the interquartile range and the range.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Summary:
    """The median of some samples and how far they spread."""

    median: float
    q1: float
    q3: float
    low: float
    high: float
    n: int

    def scaled(self, factor: float) -> Summary:
        """The same summary in another unit (e.g. seconds to milliseconds)."""
        return Summary(
            self.median * factor,
            self.q1 * factor,
            self.q3 * factor,
            self.low * factor,
            self.high * factor,
            self.n,
        )


def summarize(samples: Sequence[float]) -> Summary:
    """Summarize `samples`: median, quartiles (inclusive method), minimum and maximum.

    Raises:
        ValueError: `samples` is empty.
    """
    if not samples:
        raise ValueError("no samples to summarize; a figure must be measured at least once")
    ordered = sorted(samples)
    if len(ordered) == 1:
        q1 = q3 = ordered[0]
    else:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return Summary(statistics.median(ordered), q1, q3, ordered[0], ordered[-1], len(ordered))


def paired_ratio(values: Sequence[float], baselines: Sequence[float]) -> float:
    """The median of value/baseline over pairs measured side by side.

    Raises:
        ValueError: the sequences differ in length, are empty, or a baseline is not positive.
    """
    if len(values) != len(baselines) or not values:
        raise ValueError(
            f"paired ratio needs as many values as baselines, at least one; "
            f"got {len(values)} and {len(baselines)}"
        )
    if any(b <= 0 for b in baselines):
        raise ValueError(f"a baseline must be positive to divide by; got {list(baselines)!r}")
    return statistics.median(v / b for v, b in zip(values, baselines, strict=True))


def alternate(index: int, figure: T, baseline: T) -> tuple[T, T]:
    """The order of the `index`-th pair: figure first on even pairs, baseline first on odd."""
    return (figure, baseline) if index % 2 == 0 else (baseline, figure)
