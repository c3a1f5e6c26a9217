"""The results as a Markdown table (what README.md shows) and as JSON rows, and the machine."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Sequence
from pathlib import Path

from .rows import Row
from .stats import Summary

HEADER = ("figure", "median", "IQR", "baseline", "IQR", "ratio", "target", "meets", "n", "note")


def table(rows: Sequence[Row]) -> str:
    """A Markdown table, one line per row; medians carry the unit, spreads are IQRs."""
    lines = [_line(HEADER), _line(["---"] * len(HEADER))]
    for row in rows:
        lines.append(
            _line(
                [
                    row.name,
                    _with_unit(row.value, row.unit),
                    _iqr(row.value),
                    _with_unit(row.baseline, row.unit),
                    _iqr(row.baseline),
                    "" if row.ratio is None else f"{row.ratio:.2f}x",
                    "" if row.target is None else str(row.target),
                    {True: "yes", False: "**no**", None: ""}[row.meets],
                    "" if row.value is None else str(row.value.n),
                    row.note,
                ]
            )
        )
    return "\n".join(lines)


def write_json(rows: Sequence[Row], path: Path) -> None:
    path.write_text(json.dumps([row.to_json() for row in rows], indent=2) + "\n", "utf-8")


def machine(service_python: str) -> str:
    """One line naming what the figures were measured on: cores, CPU, Pythons, kernel.

    Args:
        service_python: the version of the Python that runs the rendered services.
    """
    return (
        f"nproc {_nproc()}, {_cpu_model()}, services on Python {service_python}, "
        f"benchmarks on Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def _nproc() -> int:
    """What `nproc` prints: the CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 0


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "unknown CPU"
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            return value.strip()
    return "unknown CPU"


def number(value: float) -> str:
    """Three or four significant digits, thousands separated: 0.123, 12.3, 123, 12,345."""
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _with_unit(summary: Summary | None, unit: str) -> str:
    return "" if summary is None else f"{number(summary.median)} {unit}"


def _iqr(summary: Summary | None) -> str:
    if summary is None or summary.n < 2:
        return ""
    return f"[{number(summary.q1)}, {number(summary.q3)}]"


def _line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |"
