"""matrix: the wall time of the template's variant matrix, 2 at a time, vs one variant alone.

Method. The matrix is what CI runs: `pytest -n 2 --dist worksteal -m variant
tests/test_variants.py`, which
fully checks the covering set of code variants (uv sync, ruff format --check, ruff check,
mypy --strict and the variant's own pytest), gives every other combination the static checks
(render, ruff, every module imported), and fully checks the `api` preset. "Alone" is the
default variant by itself, fully checked (`tests.project.run_checks`), uv's cache shared. A
full run alternates `plan.matrix` matrix runs with as many alone runs.

`--quick` does not run the matrix: it times one full check and one static check of the default
variant and estimates the matrix as (covering x full + others x static + presets x full) / 2,
the work spread over two workers. The default is the lightest variant (no web framework, no
server to reach), so this is a lower bound; the row says it is an estimate.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping
from typing import Any

from generator import questions
from tests.project import (
    ROOT,
    CheckResult,
    Importer,
    clean_env,
    render,
    run_checks,
    run_static_checks,
)

from .plan import Plan
from .process import BenchmarkError
from .rows import Row, Target, compare
from .stats import alternate, summarize
from .workspace import PROJECT_NAME, Workspace

PARALLEL = 2
PRESETS_FULLY_CHECKED = 1  # tests/test_variants.py: the api preset
TARGET = Target("<=", 300, on="value", unit="s")


def _passed(results: list[CheckResult], name: str) -> None:
    for result in results:
        if result.code != 0:
            tail = result.output.strip().splitlines()[-1:] or ["(no output)"]
            raise BenchmarkError(f"variant {name}: `{result.command[:60]}` failed: {tail[0]}")


def check_variant(workspace: Workspace, answers: Mapping[str, Any], name: str) -> float:
    """Seconds to render `answers` and pass the project's own checks.

    Raises:
        BenchmarkError: a check failed.
    """
    began = time.perf_counter()
    project = render(workspace.template, workspace.fresh_dir(f"matrix-{name}") / "p", answers)
    _passed(run_checks(project), name)
    return time.perf_counter() - began


def static_check_variant(workspace: Workspace, answers: Mapping[str, Any]) -> float:
    """Seconds to render `answers` and pass the static checks, importing with the default
    variant's own environment in an interpreter that has loaded its libraries already, as
    the matrix's importer has.

    Raises:
        BenchmarkError: a check failed.
    """
    importer = Importer(workspace.project().path / ".venv" / "bin" / "python")
    try:
        importer.check(workspace.project().path, answers["package_name"])  # loads the libraries
        began = time.perf_counter()
        project = render(workspace.template, workspace.fresh_dir("matrix-static") / "p", answers)
        _passed(run_static_checks(project, importer, answers["package_name"]), "static")
        return time.perf_counter() - began
    finally:
        importer.close()


def run_matrix() -> float:
    """Seconds for the matrix exactly as CI runs it.

    Raises:
        BenchmarkError: the matrix failed.
    """
    argv = [sys.executable, "-m", "pytest", "-n", str(PARALLEL), "--dist", "worksteal", "-q"]
    began = time.perf_counter()
    done = subprocess.run(
        [*argv, "-m", "variant", "-p", "no:cacheprovider", "tests/test_variants.py"],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = done.stdout.strip().splitlines()[-1:] or ["(no output)"]
        raise BenchmarkError(f"the matrix failed: {tail[0]}")
    return time.perf_counter() - began


def measure(workspace: Workspace, plan: Plan) -> list[Row]:
    questionnaire = questions.load(workspace.template)
    seed = {"project_name": PROJECT_NAME}
    every = questionnaire.variants("code", seed)
    covering = questionnaire.covering(seed)
    default = questionnaire.resolve(seed)
    full, static = len(covering) + PRESETS_FULLY_CHECKED, len(every) - len(covering)
    name = f"matrix wall time ({len(every)} variants: {full} full checks, {static} static)"
    if plan.quick:
        workspace.say("matrix: one full and one static check (--quick: the matrix is estimated)")
        alone = check_variant(workspace, default, "alone")
        per_static = static_check_variant(workspace, default)
        estimate = (full * alone + static * per_static) / PARALLEL
        return [
            Row(
                name,
                "s",
                summarize([estimate]),
                summarize([alone]),
                None,
                TARGET,
                note=(
                    f"estimated (--quick): ({full} x {alone:.1f} s + {static} x "
                    f"{per_static:.2f} s) / {PARALLEL}, from the default, the lightest variant:"
                    " a lower bound; baseline: the default alone"
                ),
            )
        ]
    workspace.say(f"matrix: {plan.matrix} rounds of the CI matrix and of one variant alone")
    alone_times: list[float] = []
    walls: list[float] = []
    for index in range(plan.matrix):
        for step in alternate(index, "matrix", "alone"):
            if step == "alone":
                alone_times.append(check_variant(workspace, default, "alone"))
            else:
                walls.append(run_matrix())
    return [compare(name, "s", walls, alone_times, TARGET, note="baseline: the default alone")]
