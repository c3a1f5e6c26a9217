"""A result row: a figure beside its baseline, the ratio, the target and whether it is met.

A row is what `python -m benchmarks` prints and what `--json` writes, one object per row:

    {"name", "value", "unit", "baseline", "ratio", "target", "meets",
     "spread": {"value": {"q1", "q3", "min", "max"} | null, "baseline": ... | null},
     "repeats", "note"}

`value` and `baseline` are medians in `unit`; `ratio` is the median of the paired ratios
(see `stats`); `target` reads like "ratio <= 2.0" or "value <= 300 s". A skipped row has
`value`, `ratio` and `meets` null and says why in `note`. A row with no target (an
informational figure such as a per-variant time) has `target` and `meets` null.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .stats import Summary, paired_ratio, summarize

KEYS = ("name", "value", "unit", "baseline", "ratio", "target", "meets")


@dataclass(frozen=True)
class Target:
    """What a figure should achieve: its ratio (or its value) compared with a limit."""

    op: Literal["<=", ">="]
    limit: float
    on: Literal["ratio", "value"] = "ratio"
    unit: str = ""

    def __str__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        limit = f"{self.limit:.2f}".rstrip("0").rstrip(".")
        if self.on == "ratio" and "." not in limit:
            limit += ".0"  # a ratio reads as one: "ratio <= 2.0"
        return f"{self.on} {self.op} {limit}{unit}"

    def met_by(self, value: float | None, ratio: float | None) -> bool | None:
        """Whether the figure meets this target; None when it was not measured."""
        measured = ratio if self.on == "ratio" else value
        if measured is None:
            return None
        return measured <= self.limit if self.op == "<=" else measured >= self.limit


@dataclass(frozen=True)
class Row:
    name: str
    unit: str
    value: Summary | None
    baseline: Summary | None = None
    ratio: float | None = None
    target: Target | None = None
    note: str = ""

    @property
    def meets(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.target.met_by(self.value.median, self.ratio)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": _median(self.value),
            "unit": self.unit,
            "baseline": _median(self.baseline),
            "ratio": _rounded(self.ratio),
            "target": None if self.target is None else str(self.target),
            "meets": self.meets,
            "spread": {"value": _spread(self.value), "baseline": _spread(self.baseline)},
            "repeats": None if self.value is None else self.value.n,
            "note": self.note,
        }


def compare(
    name: str,
    unit: str,
    values: Sequence[float],
    baselines: Sequence[float],
    target: Target | None,
    *,
    note: str = "",
) -> Row:
    """A row for `values` measured pairwise beside `baselines`, both already in `unit`."""
    return Row(
        name,
        unit,
        summarize(values),
        summarize(baselines),
        paired_ratio(values, baselines),
        target,
        note,
    )


def skipped(name: str, unit: str, reason: str, target: Target | None = None) -> Row:
    """A row that could not be measured in this run, saying why."""
    return Row(name, unit, None, target=target, note=f"skipped: {reason}")


def _median(summary: Summary | None) -> float | None:
    return None if summary is None else _rounded(summary.median)


def _spread(summary: Summary | None) -> dict[str, float | None] | None:
    if summary is None:
        return None
    return {
        "q1": _rounded(summary.q1),
        "q3": _rounded(summary.q3),
        "min": _rounded(summary.low),
        "max": _rounded(summary.high),
    }


def _rounded(number: float | None) -> float | None:
    """Four significant digits: more would be noise, and JSON diffs stay readable."""
    if number is None or number == 0 or not math.isfinite(number):
        return number
    digits = 3 - math.floor(math.log10(abs(number)))
    return round(number, max(0, digits))
