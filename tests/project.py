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

# Every optional part at once: the variant that renders the most of the template.
FULL_FEATURED: dict[str, Any] = {
    "web": "fastapi",
    "http_client": "httpx",
    "database": "postgres",
    "redis": True,
    "work_source": "redis-streams",
    "event_loop": "uvloop",
    "metrics": "prometheus",
    "docker": True,
}

# Text answers that break a file format when pasted in unescaped, a package name that is not
# the slug, and letters outside ASCII.
AWKWARD_ANSWERS = {
    "project_name": 'Café "Ü" #1: {{ x }}',
    "package_name": "engine",
    "description": "Back\\slash, \"quotes\", 'single', {{ jinja }}, {% if %}, # hash: colon \\n",
    "author_name": 'O\'Brien "Q" \\ {{ x }} # :',
    "author_email": "o'brien+ops@mail.example.org",
}

# Imports every module of a variant's package and tests, variant after variant, in one
# interpreter: third-party modules stay loaded, the variant's own are dropped in between.
IMPORTER = r"""
import importlib, pkgutil, sys, traceback
for line in sys.stdin:
    root, package = line.rstrip("\n").split("\t")
    own = (package, "tests")
    for name in [m for m in sys.modules if m in own or m.startswith(own[0] + ".")
                 or m.startswith("tests.")]:
        del sys.modules[name]
    sys.path[:0] = [root + "/src", root]
    importlib.invalidate_caches()
    try:
        module = importlib.import_module(package)
        for found in pkgutil.walk_packages(module.__path__, package + "."):
            importlib.import_module(found.name)
        for found in pkgutil.iter_modules([root + "/tests"], "tests."):
            importlib.import_module(found.name)
        reply = "ok"
    except BaseException:
        reply = traceback.format_exc()
    finally:
        del sys.path[:2]
    print(reply.replace("\n", "\\n"), flush=True)
"""


class Importer:
    """One interpreter, with every variant's dependencies, that imports variants on request."""

    def __init__(self, python: Path) -> None:
        self._process = subprocess.Popen(
            [str(python), "-c", IMPORTER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=clean_env(),
            text=True,
        )

    def check(self, project: Path, package: str) -> CheckResult:
        """Import every module of `project`'s package and tests; the traceback if one fails."""
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        began = time.monotonic()
        self._process.stdin.write(f"{project}\t{package}\n")
        self._process.stdin.flush()
        reply = self._process.stdout.readline().rstrip("\n").replace("\\n", "\n")
        code = 0 if reply == "ok" else 1
        return CheckResult(
            f"import every module of {package}", code, reply, time.monotonic() - began
        )

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=30)
        if self._process.stdout is not None:
            self._process.stdout.close()


# The checks every generated project must pass, as the wizard's --verify runs them.
CHECKS: tuple[tuple[str, ...], ...] = (("uv", "sync", "--quiet"), *VERIFY_CHECKS)


def snapshot_template(dest: Path) -> Path:
    """Copy the template's working tree (not git) so renders include uncommitted edits."""
    dest.mkdir(parents=True, exist_ok=True)
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
    # A temporary folder of the project's own: its pytest cleans up old numbered folders in
    # the shared one, which races with every other pytest session on the machine.
    env = clean_env() | {"TMPDIR": str(project.parent / f"{project.name}-tmp")}
    Path(env["TMPDIR"]).mkdir(exist_ok=True)
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


def run_static_checks(project: Path, importer: Importer, package: str) -> list[CheckResult]:
    """The checks of a variant that is not fully checked: ruff format and lint, and every
    module imported with the variants' dependencies."""
    results = run_checks(
        project, ((str(RUFF), "format", "--check", "."), (str(RUFF), "check", "."))
    )
    if all(result.code == 0 for result in results):
        results.append(importer.check(project, package))
    return results
