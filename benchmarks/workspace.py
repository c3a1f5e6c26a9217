"""The run's scratch folder: the template snapshot and the services rendered from it.

Each variant is rendered once per run, as a user would (`tests.project.render`), and
`uv sync`ed once; uv's cache is the user's own, so a sync after the first costs little.
Every figure that needs a service asks `project()` for it and gets the same folder back.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from generator import questions
from tests.project import CHECKS, clean_env, render, run_checks, snapshot_template

from .process import BenchmarkError, without_bytecode_switch

PROJECT_NAME = "Bench Service"
SCRIPTS = Path(__file__).resolve().parent / "scripts"

Say = Callable[[str], None]


def say_on_stderr(message: str) -> None:
    print(f"benchmarks: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Project:
    """A rendered and synced service; `answers` are every answer, defaults resolved."""

    path: Path
    answers: Mapping[str, Any]

    @property
    def package(self) -> str:
        return str(self.answers["package_name"])

    @property
    def env_prefix(self) -> str:
        return self.package.upper() + "_"

    @property
    def python(self) -> Path:
        return self.path / ".venv" / "bin" / "python"

    def env(self, **settings: object) -> dict[str, str]:
        """The environment of a measured process: `settings` (names without the prefix) and
        nothing else of the service's; see `without_bytecode_switch` for the other change."""
        base = without_bytecode_switch(clean_env())
        kept = {k: v for k, v in base.items() if not k.startswith(self.env_prefix)}
        return kept | {f"{self.env_prefix}{k.upper()}": str(v) for k, v in settings.items()}

    def service(self) -> list[str]:
        """The command that starts the service, as its README says: `python -m <package>`."""
        return [str(self.python), "-m", self.package]

    def script(self, name: str, *args: str) -> list[str]:
        """A script of benchmarks/scripts, run by this project's interpreter in its venv."""
        return [str(self.python), str(SCRIPTS / name), *args]

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run this project's interpreter with `args` in its folder; capture the output."""
        return subprocess.run(
            [str(self.python), *args],
            cwd=self.path,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def run_report(self, script: Path, *args: str, what: str) -> dict[str, Any]:
        """Run a benchmark script in this project's venv; return the JSON it prints.

        Raises:
            BenchmarkError: the script failed (named as `what`).
        """
        done = self.run(str(script), *args, timeout=900)
        if done.returncode != 0:
            raise BenchmarkError(f"the {what} run failed: {_tail(done.stderr)}")
        report: dict[str, Any] = json.loads(done.stdout)
        return report

    def defaults(self) -> dict[str, Any]:
        """The service's default settings, read from its own Settings class."""
        code = (
            "import dataclasses, json\n"
            f"from {self.package}.settings import Settings\n"
            "print(json.dumps(dataclasses.asdict(Settings())))\n"
        )
        done = self.run("-c", code)
        if done.returncode != 0:
            raise BenchmarkError(f"cannot read the settings of {self.path}: {_tail(done.stderr)}")
        loaded: dict[str, Any] = json.loads(done.stdout)
        return loaded


@dataclass
class Workspace:
    """Renders the template's working tree into `root`, each variant once."""

    root: Path
    say: Say = say_on_stderr
    _projects: dict[str, Project] = field(default_factory=dict)
    _dirs: int = 0

    @cached_property
    def template(self) -> Path:
        """A snapshot of the template's working tree (not git: includes uncommitted edits)."""
        return snapshot_template(self.fresh_dir("template"))

    def fresh_dir(self, name: str) -> Path:
        """A new folder under `root` that nothing else uses."""
        self._dirs += 1
        path = self.root / f"{self._dirs:02d}-{name}"
        path.mkdir(parents=True)
        return path

    def project(self, **variant: Any) -> Project:
        """The service rendered with `variant` on top of the default answers, synced.

        Raises:
            BenchmarkError: rendering or `uv sync` failed.
        """
        answers = questions.load(self.template).resolve({"project_name": PROJECT_NAME, **variant})
        key = repr(sorted(answers.items()))  # a variant that restates a default is the default
        if key not in self._projects:
            label = ",".join(f"{k}={v}" for k, v in sorted(variant.items())) or "default"
            self.say(f"rendering and syncing the {label} service")
            path = render(self.template, self.fresh_dir(label.replace("=", "-")) / "p", answers)
            sync(path)
            project = Project(path, answers)
            compile_bytecode(project)
            self._projects[key] = project
        return self._projects[key]

    def python_version(self) -> str:
        """The version of the Python the rendered services run on."""
        project = next(iter(self._projects.values()), None)
        if project is None:
            return "n/a (no service rendered)"
        done = project.run("-c", "import platform; print(platform.python_version())")
        return done.stdout.strip()


def sync(project: Path) -> None:
    """`uv sync` the project, as the first of its own checks does.

    Raises:
        BenchmarkError: uv failed.
    """
    (result,) = run_checks(project, CHECKS[:1])
    if result.code != 0:
        raise BenchmarkError(f"`{result.command}` failed in {project}: {_tail(result.output)}")


def compile_bytecode(project: Project) -> None:
    """Write the bytecode caches of the service and its venv, as an installer would, so the
    first measured start does not pay for compiling.

    Raises:
        BenchmarkError: compileall failed.
    """
    done = project.run("-m", "compileall", "-q", "-j", "0", "src", ".venv")
    if done.returncode != 0:
        raise BenchmarkError(f"compileall failed in {project.path}: {_tail(done.stdout)}")


def _tail(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"
