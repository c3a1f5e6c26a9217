"""matrix: the wall time to render and check every code variant, 2 at a time, vs one alone.

Method. A variant run renders the variant from the template snapshot into a new folder, as a
user would, and puts it through the checks the template's own tests use
(`tests.project.run_checks`: uv sync, ruff format --check, ruff check, mypy --strict and its
own pytest), with uv's cache shared. "Alone" is the default variant by itself; "matrix" is
every code variant copier.yml allows, two at a time, as `pytest -n 2` runs them. A full run
measures both `plan.matrix` times, alternating which goes first, and also reports each
variant's own time within the matrix beside the alone time. Renders take a lock (copier is
not documented to be thread-safe; a render takes a fraction of a second); the checks run in
parallel.

`--quick` measures only the default variant alone, once, and estimates the matrix as alone x
variants: the time to check them one after another, which two at a time does not exceed
unless the machine is saturated. The row says it is an estimate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from generator import questions
from tests.project import render, run_checks

from .plan import Plan
from .process import BenchmarkError
from .rows import Row, Target, compare
from .stats import alternate, summarize
from .workspace import PROJECT_NAME, Workspace

PARALLEL = 2
TARGET = Target("<=", 300, on="value", unit="s")
_render_lock = threading.Lock()


def label(answers: Mapping[str, Any], axes: tuple[str, ...]) -> str:
    return ",".join(f"{axis}={answers[axis]}" for axis in axes)


def check_variant(workspace: Workspace, answers: Mapping[str, Any], name: str) -> float:
    """Seconds to render `answers` and pass the project's own checks.

    Raises:
        BenchmarkError: a check failed.
    """
    began = time.perf_counter()
    with _render_lock:
        project = render(workspace.template, workspace.fresh_dir(f"matrix-{name}") / "p", answers)
    for result in run_checks(project):
        if result.code != 0:
            tail = result.output.strip().splitlines()[-1:] or ["(no output)"]
            raise BenchmarkError(f"variant {name}: `{result.command}` failed: {tail[0]}")
    return time.perf_counter() - began


def check_matrix(
    workspace: Workspace, variants: list[dict[str, Any]], axes: tuple[str, ...]
) -> tuple[float, dict[str, float]]:
    """The wall time of checking every variant `PARALLEL` at a time, and each one's time."""
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        futures = {
            label(v, axes): pool.submit(check_variant, workspace, v, label(v, axes))
            for v in variants
        }
        each = {name: future.result() for name, future in futures.items()}
    return time.perf_counter() - began, each


def measure(workspace: Workspace, plan: Plan) -> list[Row]:
    questionnaire = questions.load(workspace.template)
    axes = questionnaire.code_axes
    variants = questionnaire.variants("code", {"project_name": PROJECT_NAME})
    default = questionnaire.resolve({"project_name": PROJECT_NAME})
    name = f"matrix wall time ({len(variants)} variants, {PARALLEL} at a time)"
    if plan.quick:
        workspace.say("matrix: the default variant alone, once (--quick: the matrix is estimated)")
        alone = check_variant(workspace, default, "alone")
        return [
            Row(
                name,
                "s",
                summarize([alone * len(variants)]),
                summarize([alone]),
                None,  # alone x variants / alone says nothing
                TARGET,
                note=f"estimated (--quick): alone x {len(variants)} variants, one after another",
            )
        ]
    workspace.say(f"matrix: {plan.matrix} rounds of one variant alone, then all {len(variants)}")
    alone_times: list[float] = []
    walls: list[float] = []
    per_variant: dict[str, list[float]] = {label(v, axes): [] for v in variants}
    for index in range(plan.matrix):
        for step in alternate(index, "matrix", "alone"):
            if step == "alone":
                alone_times.append(check_variant(workspace, default, "alone"))
                continue
            wall, each = check_matrix(workspace, variants, axes)
            walls.append(wall)
            for variant, seconds in each.items():
                per_variant[variant].append(seconds)
    rows = [compare(name, "s", walls, alone_times, TARGET, note="baseline: the default alone")]
    rows += [
        compare(
            f"matrix variant {variant}", "s", times, alone_times, None, note="within the matrix"
        )
        for variant, times in per_variant.items()
    ]
    return rows
