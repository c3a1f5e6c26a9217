"""update: `asyncio-service update` beside plain `copier update`, same project, same step.

Method. The template snapshot is committed and tagged v1 in a temporary git repository; a
project rendered from v1 gets an owner's edit and its first commit; a second template commit,
tagged v2, changes a runtime module. Each repetition copies that project twice and runs, in
alternating order,

    asyncio-service update PROJECT --yes --vcs-ref v2
    copier update --defaults --skip-answered --conflict inline --vcs-ref v2   (in PROJECT)

as the console scripts of this repository's venv, so both pay for starting Python and
importing copier; each is timed from spawn to exit and must exit 0 with the template's change
in place. One pair, not counted, comes first. The wizard does more than copier (a preflight,
the CHANGELOG notes, the checks for what copier would drop), and the target says how much
more it may cost.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from tests.project import render

from .generate import GIT_IDENTITY, console_script, git_checkout, paired, timed
from .plan import Plan
from .process import BenchmarkError
from .rows import Row, Target, compare, skipped
from .workspace import PROJECT_NAME, Workspace

NAME = "update"
TARGET = Target("<=", 1.1)
HEALTH = Path("template/src/{{package_name}}/runtime/health.py")
CHANGE = ("    def set_ready(self) -> None:\n", "    def set_ready(self) -> None:\n        # v2\n")


def git(cwd: Path, *args: str) -> None:
    """Run git in `cwd`.

    Raises:
        BenchmarkError: git failed.
    """
    done = subprocess.run(
        ["git", *GIT_IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchmarkError(f"`git {' '.join(args)}` failed in {cwd}: {done.stderr.strip()}")


def prepare(workspace: Workspace) -> tuple[Path, Path]:
    """A template repository tagged v1 and v2, and a committed project made at v1."""
    source = git_checkout(workspace.template, workspace.fresh_dir("update-template"))
    git(source, "tag", "v1.0.0")
    project = workspace.fresh_dir("update-project") / "p"
    render(source, project, {"project_name": PROJECT_NAME})
    app = next(project.glob("src/*/app.py"))
    app.write_text(app.read_text(encoding="utf-8") + "\n# the owner's note\n", encoding="utf-8")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "generated, with an owner's note")
    health = source / HEALTH
    health.write_text(health.read_text(encoding="utf-8").replace(*CHANGE, 1), encoding="utf-8")
    git(source, "commit", "-q", "-am", "v2: a comment")
    git(source, "tag", "v2.0.0")
    return source, project


def timed_update(argv: Sequence[str], project: Path) -> float:
    """Seconds `argv` took in `project`; it must exit 0 and bring the v2 change.

    Raises:
        BenchmarkError: it failed.
    """

    def arrived() -> bool:
        health = next(project.glob("src/*/runtime/health.py"))
        return "# v2" in health.read_text(encoding="utf-8")

    return timed(argv, arrived, cwd=project)


def measure(workspace: Workspace, plan: Plan) -> list[Row]:
    wizard, copier = console_script("asyncio-service"), console_script("copier")
    if wizard is None or copier is None:
        return [skipped(NAME, "s", "asyncio-service or copier is not installed; run `uv sync`")]
    _, project = prepare(workspace)
    commands = {
        "wizard": [str(wizard), "update", ".", "--yes", "--vcs-ref", "v2.0.0"],
        "copier": [str(copier), "update", "--defaults", "--skip-answered", "--conflict", "inline",
                   "--vcs-ref", "v2.0.0"],
    }  # fmt: skip
    workspace.say(f"update: {plan.update} runs of `asyncio-service update` and `copier update`")

    def once(name: str) -> float:
        copy = workspace.fresh_dir(f"update-{name}") / "p"
        shutil.copytree(project, copy, symlinks=True)
        return timed_update(commands[name], copy)

    times = paired(plan.update, once)
    return [
        compare(
            NAME,
            "s",
            times["wizard"],
            times["copier"],
            TARGET,
            note="`asyncio-service update --yes` vs `copier update`: one release, same project",
        )
    ]
