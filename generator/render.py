"""Rendering and the steps after it: thin wrappers over copier's `run_copy`, git and uv.

A project is rendered into a staging folder beside its destination (same filesystem, so the
final move is one rename) and moved into place only once it is complete, first commit
included; a failure or Ctrl-C before then leaves nothing behind. `uv sync` and the checks run
after the move, because a virtual environment records its own absolute path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateError
from plumbum import ProcessExecutionError

from generator.source import Revision

CHECKS = (
    ("uv", "run", "ruff", "format", "--check", "."),
    ("uv", "run", "ruff", "check", "."),
    ("uv", "run", "mypy"),
    ("uv", "run", "pytest", "-W", "error"),
)


class RenderError(RuntimeError):
    """copier could not render the template; the message is copier's, on one line."""


class StepError(RuntimeError):
    """A command after rendering (git, uv, a check) failed; the message says what to do next."""


HEARTBEAT = 10.0
"""Seconds between the "still running" lines of a long step."""

_quiet = False


def set_quiet(quiet: bool) -> None:
    """Silence the progress lines (`--quiet`); errors are still reported."""
    global _quiet  # noqa: PLW0603 - one switch for the whole command, set once by the CLI
    _quiet = quiet


def progress(message: str) -> None:
    if not _quiet:
        print(f"  • {message}", file=sys.stderr, flush=True)


def uv_available() -> bool:
    """uv is on PATH, or this runs under `uv run`, which names its own binary in $UV."""
    return shutil.which("uv") is not None or bool(os.environ.get("UV"))


def render(revision: Revision, answers: Mapping[str, Any], into: Path) -> list[str]:
    """Render `revision` with `answers` into the new folder `into`; return its files."""
    # Imported here: copier takes most of a second to import, and the first prompt (or
    # `variants`, or a bad flag) should not wait for it.
    import copier  # noqa: PLC0415
    from copier.errors import CopierError  # noqa: PLC0415

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            copier.run_copy(
                revision.source.url,
                into,
                data=dict(answers),
                vcs_ref=revision.ref,
                defaults=True,
                unsafe=False,
                quiet=True,
            )
    except (CopierError, TemplateError, ValueError, OSError, ProcessExecutionError) as error:
        raise RenderError(f"copier could not render the template: {_one_line(error)}") from error
    for warning in caught:
        progress(f"copier: {_one_line(warning.message)}")
    return files(into)


def files(root: Path) -> list[str]:
    """Every file below `root` as a sorted POSIX relative path, leaving out `.git`."""
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if not path.is_dir() and ".git" not in path.relative_to(root).parts
    )


@contextmanager
def staging(dest: Path) -> Iterator[Path]:
    """Yield a folder to build the project in; it becomes `dest` only by `publish`."""
    created = _make_parents(dest.parent)
    base = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", suffix=".partial", dir=dest.parent))
    try:
        yield base / dest.name
    except BaseException:
        if created:
            shutil.rmtree(created[0], ignore_errors=True)
        raise
    finally:
        shutil.rmtree(base, ignore_errors=True)


def publish(staged: Path, dest: Path) -> None:
    """Move a complete project into `dest`, which is missing or an empty folder."""
    if dest.is_dir():
        dest.rmdir()
    staged.rename(dest)


def first_commit(project: Path, answers: Mapping[str, Any], answers_file: str) -> str:
    """`git init` and commit everything, so `copier update` works from day one."""
    fix = "nothing was written; fix git's configuration or pass --no-git"
    step(["git", "init", "--quiet"], project, fix)
    identity: list[str] = []
    for key, answer in (("user.name", "author_name"), ("user.email", "author_email")):
        configured = subprocess.run(
            ["git", "config", "--get", key], cwd=project, capture_output=True, check=False
        )
        if configured.returncode != 0 and answers.get(answer):
            identity += ["-c", f"{key}={answers[answer]}"]
    recorded = yaml.safe_load((project / answers_file).read_text(encoding="utf-8")) or {}
    message = f"Start {answers.get('project_name', project.name)} from copier-asyncio-service"
    if recorded.get("_commit"):
        message += f" {recorded['_commit']}"
    step(["git", "add", "--all"], project, fix)
    step(["git", *identity, "commit", "--quiet", "-m", message], project, fix)
    return message


def step(command: Sequence[str], cwd: Path, fix: str, *, doing: str = "") -> None:
    """Run one command; raise StepError with its last line of output and `fix` if it fails.

    With `doing`, say so when it starts, every HEARTBEAT seconds while it runs, and how long
    it took when it ends: `uv sync` alone takes 10 to 30 s on a cold cache.
    """
    began = time.monotonic()
    if doing:
        progress(f"{doing} ...")
    with subprocess.Popen(
        list(command),
        cwd=cwd,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        while True:
            try:
                stdout, stderr = process.communicate(timeout=HEARTBEAT)
                break
            except subprocess.TimeoutExpired:
                if doing:
                    progress(f"{doing}: still running, {time.monotonic() - began:.0f} s")
    if process.returncode != 0:
        output = (stderr.strip() or stdout.strip()).splitlines()
        last = output[-1].strip() if output else "no output"
        raise StepError(f"`{' '.join(command)}` failed (exit {process.returncode}): {last}; {fix}")
    if doing:
        progress(f"{doing}: done in {time.monotonic() - began:.1f} s")


def _env() -> dict[str, str] | None:
    """The environment for a step: ours, with `uv run`'s own uv on PATH when none is there
    (under `pipx run uv run asyncio-service` the wizard's environment has no uv of its own)."""
    uv = os.environ.get("UV")
    if not uv or shutil.which("uv") is not None:
        return None
    return {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(uv).parent), os.environ.get("PATH", os.defpath)]),
    }


def _make_parents(folder: Path) -> list[Path]:
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def _one_line(error: object) -> str:
    return " ".join(str(error).split()) or type(error).__name__
