"""`python -m benchmarks`: what the template costs its users, each figure beside its baseline.

Prints the machine and a Markdown table (the one README.md shows) on stdout, progress on
stderr; `--json PATH` also writes the rows (their form is in `benchmarks.rows`). `--quick`
finishes in under a minute; the full run repeats more. A figure that misses its target is
reported (`meets: false`), never an error. Exit status: 0 measured (targets met or not);
1 something really failed, such as a service that does not start, said in one line; 2 bad
arguments.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from generator.questions import AnswerError

from . import drain, generate, lifecycle, matrix, metrics, peers, report, throughput, update, web
from .plan import FULL, QUICK, Plan
from .process import BenchmarkError
from .rows import Row
from .workspace import Workspace, say_on_stderr

Figure = Callable[[Workspace, Plan], list[Row]]

# In the order they run; one measurement may give several figures.
FIGURES: tuple[tuple[tuple[str, ...], Figure], ...] = (
    (("startup", "shutdown", "memory"), lifecycle.measure),
    (("drain",), drain.measure),
    (("throughput",), throughput.measure),
    (("metrics",), metrics.measure),
    (("generate",), generate.measure),
    (("update",), update.measure),
    (("web",), web.measure),
    (("matrix",), matrix.measure),
    (("peers",), peers.measure),
)
NAMES = tuple(name for names, _ in FIGURES for name in names)
# Left out of `--quick` (what CI runs) unless named by --only: peers installs from PyPI.
SLOW: tuple[tuple[str, ...], ...] = (("peers",),)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure the generated service and the template's tools beside baselines.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions; under a minute in all"
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the rows as JSON")
    parser.add_argument(
        "--only",
        type=lambda text: [word.strip() for word in text.split(",") if word.strip()],
        default=[],
        metavar="NAME[,NAME]",
        help=f"measure only these figures, of: {', '.join(NAMES)}",
    )
    args = parser.parse_args(argv)
    if unknown := [name for name in args.only if name not in NAMES]:
        parser.error(f"--only {','.join(unknown)}: not a figure; pick from {', '.join(NAMES)}")
    return args


def run(plan: Plan, only: Sequence[str], scratch: Path) -> tuple[list[Row], str]:
    """Measure the selected figures in `scratch`; return the rows and the services' Python."""
    workspace = Workspace(scratch)
    rows: list[Row] = []
    for names, figure in FIGURES:
        if set(names) & set(only) or (not only and not (plan.quick and names in SLOW)):
            rows += figure(workspace, plan)
    return rows, workspace.python_version()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    plan = QUICK if args.quick else FULL
    began = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="asyncio-service-bench-") as scratch:
            rows, service_python = run(plan, args.only, Path(scratch))
    except (BenchmarkError, AnswerError, OSError, subprocess.SubprocessError) as exc:
        print(f"benchmarks: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("benchmarks: interrupted; nothing written", file=sys.stderr)
        return 1
    print(f"{'Quick' if plan.quick else 'Full'} run on {report.machine(service_python)}.\n")
    print(report.table(rows))
    if args.json is not None:
        report.write_json(rows, args.json)
    missed = [row.name for row in rows if row.meets is False]
    skipped = sum(row.value is None for row in rows)
    say_on_stderr(
        f"{len(rows)} rows ({skipped} skipped) in {time.perf_counter() - began:.0f}s; "
        + (f"missing their target: {', '.join(missed)}" if missed else "no target missed")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
