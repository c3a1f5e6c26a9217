"""Render the template as a user would, and run a rendered project's own checks.

Shared by the tests and the benchmarks. Rendering goes through copier's public API with
neither `unsafe` nor `trust`; the answers are checked against copier.yml first, because
copier itself accepts an answer key that no question defines and silently varies nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import copier

from generator import questions
from generator.render import CHECKS as VERIFY_CHECKS

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PARTS = ("copier.yml", "includes", "template")

RUFF = Path(sys.executable).with_name("ruff")

# Import every module of the package and of its tests, as pytest and the entrypoint would.
IMPORT_ALL = """
import importlib, pkgutil, sys
sys.path[:0] = ["src", "."]
package = importlib.import_module(sys.argv[1])
for found in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(found.name)
for found in pkgutil.iter_modules(["tests"], "tests."):
    importlib.import_module(found.name)
"""

# The checks every generated project must pass, as the wizard's --verify runs them.
CHECKS: tuple[tuple[str, ...], ...] = (("uv", "sync", "--quiet"), *VERIFY_CHECKS)


def snapshot_template(dest: Path) -> Path:
    """Copy the template's working tree (not git) so renders include uncommitted edits."""
    for part in TEMPLATE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, dest / part)
    return dest


def render(source: Path, dest: Path, answers: Mapping[str, Any]) -> Path:
    """Render `answers` (validated against copier.yml) from `source` into `dest`."""
    questions.load(source).check_keys(answers)
    copier.run_copy(
        str(source), str(dest), data=dict(answers), defaults=True, quiet=True, unsafe=False
    )
    return dest


def clean_env() -> dict[str, str]:
    """The environment for a generated project's commands, free of this repo's own venv."""
    drop = ("VIRTUAL_ENV", "PYTEST_", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "COV_CORE_")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


@dataclass(frozen=True)
class CheckResult:
    command: str
    code: int
    output: str
    seconds: float


def run_checks(
    project: Path, checks: Sequence[Sequence[str]] = CHECKS, timeout: float = 600
) -> list[CheckResult]:
    """Run each check in `project`; stop at the first that fails."""
    results = []
    env = clean_env()
    for argv in checks:
        began = time.monotonic()
        done = subprocess.run(
            argv,
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        results.append(
            CheckResult(
                " ".join(argv),
                done.returncode,
                done.stdout + done.stderr,
                time.monotonic() - began,
            )
        )
        if done.returncode != 0:
            break
    return results


def run_static_checks(project: Path, python: Path, package: str) -> list[CheckResult]:
    """The checks of a variant that is not fully checked: ruff format and lint, and every
    module imported by `python`, an interpreter with the variant's dependencies."""
    checks = (
        (str(RUFF), "format", "--check", "."),
        (str(RUFF), "check", "."),
        (str(python), "-c", IMPORT_ALL, package),
    )
    return run_checks(project, checks)
