"""generate: `asyncio-service new` beside `copier copy`, same answers, same template source.

Method. The template snapshot is committed to a temporary git repository, since the wizard
takes a git checkout, and both commands read that one repository. Each repetition runs, in
alternating order and each into a new folder,

    asyncio-service new DEST --template SRC --data project_name=... --defaults --yes
        --no-sync --no-git
    copier copy --defaults --data project_name=... SRC DEST

as the console scripts of this repository's venv, so both pay for starting Python and
importing copier; each is timed from spawn to exit, must exit 0 and must leave a
pyproject.toml. One run of each, not counted, comes first.

The wizard is written on another branch. Until `asyncio-service new --help` exits 0 the row
is reported as skipped, with the reason: a figure that was not measured is not faked.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .plan import Plan
from .process import BenchmarkError
from .rows import Row, Target, compare, skipped
from .stats import alternate
from .workspace import PROJECT_NAME, Workspace

NAME = "generate"
TARGET = Target("<=", 1.5)
GIT_IDENTITY = ("-c", "user.name=benchmarks", "-c", "user.email=benchmarks@localhost")


def console_script(name: str) -> Path | None:
    """The command `name` installed beside this interpreter, else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return beside
    found = shutil.which(name)
    return Path(found) if found else None


def wizard_missing(wizard: Sequence[str]) -> str | None:
    """Why `wizard new` cannot be measured, or None when its `--help` exits 0."""
    try:
        done = subprocess.run(
            [*wizard, "new", "--help"], capture_output=True, text=True, timeout=60, check=False
        )
    except OSError as exc:
        return f"`{' '.join(wizard)}` cannot be run: {exc.strerror}"
    if done.returncode != 0:
        return (
            f"`asyncio-service new --help` exited {done.returncode}: the wizard is not on "
            "this branch yet"
        )
    return None


def git_checkout(source: Path, dest: Path) -> Path:
    """`source` copied to `dest` and committed: what the wizard's --template takes.

    Raises:
        BenchmarkError: git failed.
    """
    shutil.copytree(source, dest, dirs_exist_ok=True)
    for argv in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", *GIT_IDENTITY, "commit", "-q", "-m", "template snapshot"],
    ):
        done = subprocess.run(argv, cwd=dest, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BenchmarkError(f"`{' '.join(argv)}` failed in {dest}: {done.stderr.strip()}")
    return dest


def timed_run(argv: Sequence[str], dest: Path) -> float:
    """Seconds `argv` took; it must exit 0 and leave `dest`/pyproject.toml.

    Raises:
        BenchmarkError: it failed.
    """
    return timed(argv, (dest / "pyproject.toml").is_file)


def paired(repeats: int, once: Callable[[str], float]) -> dict[str, list[float]]:
    """The seconds of `once("wizard")` and `once("copier")`, `repeats` each, alternating which
    goes first, after one pair that is not counted."""
    times: dict[str, list[float]] = {"wizard": [], "copier": []}
    for index in range(-1, repeats):  # -1: the warm-up pair, not counted
        for name in alternate(index, "wizard", "copier"):
            seconds = once(name)
            if index >= 0:
                times[name].append(seconds)
    return times


def timed(argv: Sequence[str], succeeded: Callable[[], bool], cwd: Path | None = None) -> float:
    """Seconds `argv` took in `cwd`; it must exit 0 and leave `succeeded()` true.

    Raises:
        BenchmarkError: it failed.
    """
    began = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0 or not succeeded():
        lines = (done.stderr or done.stdout).strip().splitlines() or ["(no output)"]
        raise BenchmarkError(f"`{Path(argv[0]).name}` exited {done.returncode}: {lines[-1]}")
    return seconds


def measure(workspace: Workspace, plan: Plan) -> list[Row]:
    wizard, copier = console_script("asyncio-service"), console_script("copier")
    if wizard is None or copier is None:
        return [skipped(NAME, "s", "asyncio-service or copier is not installed; run `uv sync`")]
    if (reason := wizard_missing([str(wizard)])) is not None:
        return [skipped(NAME, "s", reason, TARGET)]
    source = str(git_checkout(workspace.template, workspace.fresh_dir("template-git")))
    answer = f"project_name={PROJECT_NAME}"

    def new(dest: Path) -> list[str]:
        return [str(wizard), "new", str(dest), "--template", source, "--data", answer,
                "--defaults", "--yes", "--no-sync", "--no-git"]  # fmt: skip

    def copy(dest: Path) -> list[str]:
        return [str(copier), "copy", "--defaults", "--data", answer, source, str(dest)]

    commands = {"wizard": new, "copier": copy}
    workspace.say(f"generate: {plan.generate} runs of `asyncio-service new` and `copier copy`")

    def once(name: str) -> float:
        dest = workspace.fresh_dir(f"generate-{name}") / "out"
        return timed_run(commands[name](dest), dest)

    times = paired(plan.generate, once)
    return [
        compare(
            NAME,
            "s",
            times["wizard"],
            times["copier"],
            TARGET,
            note="`asyncio-service new --no-sync --no-git` vs `copier copy`, same answers",
        )
    ]
