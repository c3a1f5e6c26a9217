"""Generated projects on every Python they claim, not only the one that runs these tests.

For each `python_min`, the default variant and a full-featured one are synced with that very
interpreter (`uv sync --python <path>`) and pass their full checks: format, lint for that
target, mypy and their own tests. They are rendered with awkward text answers and a package
name other than the slug, which `uv sync` (hatchling) must take too.

Interpreters are found on PATH or among pyenv's installed versions (`uv python find` misses
those behind pyenv's shims, so uv gets the path). A machine without one skips its tests,
saying how to install it; under CI=true that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator import questions
from generator.render import CHECKS as VERIFY_CHECKS

from .project import AWKWARD_ANSWERS, FULL_FEATURED, clean_env, render, run_checks

QUESTIONNAIRE = questions.load()
VERSIONS: list[str] = QUESTIONNAIRE["python_min"].values()
ON_CI = os.environ.get("CI") == "true"
FULL = FULL_FEATURED


def version_of(python: Path) -> str | None:
    try:
        done = subprocess.run(
            [str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def pyenv_root() -> Path | None:
    if os.environ.get("PYENV_ROOT"):
        return Path(os.environ["PYENV_ROOT"])
    if shutil.which("pyenv") is None:
        return None
    done = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False)
    return Path(done.stdout.strip()) if done.returncode == 0 else None


def patch_level(python: Path) -> list[int]:
    """3.13.5 above 3.13.0 for `<root>/versions/3.13.5/bin/python3.13`."""
    return [int(n) for n in re.findall(r"\d+", python.parents[1].name)]


def find_python(version: str) -> Path | None:
    """An interpreter of `version`: `pythonX.Y` on PATH, else pyenv's newest X.Y.*."""
    candidates = []
    on_path = shutil.which(f"python{version}")
    if on_path and "shims" not in Path(on_path).parts:
        candidates.append(Path(on_path))
    root = pyenv_root()
    if root is not None:
        installed = (root / "versions").glob(f"{version}.*/bin/python{version}")
        candidates += sorted(installed, key=patch_level, reverse=True)
    return next((c for c in candidates if version_of(c) == version), None)


def require_python(version: str) -> Path:
    found = find_python(version)
    if found is not None:
        return found
    how = (
        f"Python {version} is not on PATH (python{version}) nor among pyenv's versions; install "
        f"it, e.g. `pyenv install {version}` or actions/setup-python with {version} listed"
    )
    if ON_CI:
        pytest.fail(how)
    pytest.skip(how)


CASES = [
    pytest.param({"python_min": version, **variant}, version, id=f"{name}-{version}")
    for version in VERSIONS
    for name, variant in (("default", {}), ("full", FULL))
    # The default variant at the floor is in the covering set of test_variants already.
    if (name, version) != ("default", VERSIONS[0])
]


@pytest.mark.variant
@pytest.mark.parametrize(("answers", "version"), CASES)
def test_each_python_min_passes_its_checks_on_that_python(
    answers: dict[str, Any], version: str, template_source: Path, tmp_path: Path
) -> None:
    python = require_python(version)
    # Awkward text answers too: they must survive uv sync (hatchling reads pyproject.toml).
    project = render(template_source, tmp_path / "p", {**AWKWARD_ANSWERS, **answers})
    sync = ("uv", "sync", "--quiet", "--python", str(python))
    running = ("uv", "run", "python", "-c", "import sys; print('%d.%d' % sys.version_info[:2])")
    checks = (sync, running, *VERIFY_CHECKS)
    results = run_checks(project, checks)
    failed = [r for r in results if r.code != 0]
    assert not failed, f"{failed[0].command} failed:\n{failed[0].output[-4000:]}"
    assert results[1].output.strip() == version
    assert re.search(r"\d+ passed", results[-1].output)


def test_a_project_for_the_floor_syncs_where_the_only_python_is_a_newer_one(
    template_source: Path, tmp_path: Path
) -> None:
    newest = require_python(VERSIONS[-1])
    project = render(template_source, tmp_path / "p", {"project_name": "Acme"})
    only = tmp_path / "bin"
    only.mkdir()
    (only / "python3").symlink_to(newest)
    uv = shutil.which("uv")
    assert uv is not None
    # Nothing but PATH tells uv where Pythons are (`python -m uv` passes its own on, too).
    env = {k: v for k, v in clean_env().items() if not k.startswith(("UV", "PYENV"))}
    env |= {
        "PATH": str(only),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PYTHON_PREFERENCE": "only-system",
    }
    done = subprocess.run(
        [uv, "python", "find"], cwd=project, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert version_of(Path(done.stdout.strip())) == VERSIONS[-1]
