"""The README's Quick start, run as a newcomer runs it, and what its test command prints."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .project import ROOT
from .repos import git

README = (ROOT / "README.md").read_text(encoding="utf-8")
DISTRIBUTION_PATH = "/usr/bin:/bin"
# The machine's own network settings (proxy, certificate authorities) are not a user's
# state: a fresh account on the machine has them too.
MACHINE = re.compile(r"^(SSL_CERT_\w+|REQUESTS_CA_BUNDLE|PIP_CERT|\w*_PROXY|\w*_proxy)$")


def quick_start() -> list[str]:
    """The Quick start's commands, as written: the lines that start with `pipx run`."""
    section = README.split("\n## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.startswith("pipx ")]


def test_the_quick_start_has_two_commands_generate_then_test() -> None:
    generate, test = quick_start()
    assert " asyncio-service new ../" in generate  # beside the clone, never inside it
    assert "pytest" in test


def test_ci_runs_the_readme_test_command() -> None:
    _, test = quick_start()
    assert test in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def clean_environment(home: Path, **extra: str) -> dict[str, str]:
    """A fresh account: an empty HOME, the distribution's PATH, warm package caches."""
    machine = {k: v for k, v in os.environ.items() if MACHINE.match(k)}
    caches = Path.home() / ".cache"
    return {
        **machine,
        "HOME": str(home),
        "PATH": DISTRIBUTION_PATH,
        "LANG": "C.UTF-8",
        "UV_CACHE_DIR": os.environ.get("UV_CACHE_DIR", str(caches / "uv")),
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(caches / "pip")),
        **extra,
    }


def clone(dest: Path) -> Path:
    """This worktree's files (uncommitted edits included) as a fresh git clone would hold them."""
    listed = git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    git(dest, "init", "--quiet")
    git(dest, "add", "--all")
    git(dest, "commit", "--quiet", "-m", "A clone")
    return dest


def test_the_quick_start_works_verbatim_with_the_distribution_python_and_a_fresh_home(
    tmp_path: Path,
) -> None:
    if shutil.which("pipx", path=DISTRIBUTION_PATH) is None:
        message = "pipx is not installed: apt-get install pipx (.ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    generate, test = quick_start()
    home = tmp_path / "home"
    home.mkdir()
    checkout = clone(tmp_path / "copier-asyncio-service")

    def shell(command: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["/bin/sh", "-c", command],
            cwd=checkout,
            env=clean_environment(home, **extra),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    made = shell(generate)
    assert made.returncode == 0, made.stderr[-4000:]
    project = tmp_path / "acme-worker"
    assert git(project, "rev-list", "--count", "HEAD") == "1"
    assert (project / ".venv").is_dir(), "the wizard did not run uv sync"
    assert "Next steps:\n  cd ../acme-worker\n  uv run acme-worker " in made.stdout
    assert "uv sync: installing the project's packages: done in" in made.stderr
    # The wizard ran without the development group: no pytest in the clone's environment.
    assert not list(checkout.glob(".venv/lib/python*/site-packages/pytest"))

    # The whole suite would take minutes; one cheap test proves the command and its setup.
    cheap = "-p no:cacheprovider -k test_code_variants_are_every_combination_of_the_code_axes"
    tested = shell(test, PYTEST_ADDOPTS=cheap)
    assert tested.returncode == 0, tested.stdout[-4000:] + tested.stderr[-2000:]
    assert "1 passed" in tested.stdout


VARIANT_TESTS = """
import pytest

@pytest.mark.variant
@pytest.mark.parametrize("name", ["a", "b", "c"])
def test_variant(name):
    assert name != "c"

def test_not_a_variant():
    pass
"""


def test_the_test_command_prints_one_line_per_variant_as_it_is_checked(tmp_path: Path) -> None:
    (tmp_path / "test_some.py").write_text(VARIANT_TESTS)
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-n", "2", "--dist", "worksteal"),
            *("-p", "tests.variant_lines", "-p", "no:cacheprovider", "-o", "markers=variant"),
            *("--rootdir", str(tmp_path), str(tmp_path)),
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("variant ")]
    assert sorted(re.sub(r"\s+[\d.]+ s\s+", " ", line.split(": ", 1)[1]) for line in lines) == [
        "failed test_variant[c]",
        "passed test_variant[a]",
        "passed test_variant[b]",
    ]
    assert [line.split(":")[0].split()[-1] for line in lines] == ["1", "2", "3"]


def test_uvx_from_a_clone_renders_that_clone_with_the_wizard_packages_only(tmp_path: Path) -> None:
    checkout = clone(tmp_path / "clone")
    uvx = [str(Path(sys.executable).with_name("uv")), "tool", "run", "--from", str(checkout)]
    env = {**os.environ, "UV_TOOL_DIR": str(tmp_path / "tools")}
    env.pop("VIRTUAL_ENV", None)
    flags = ["--data", "project_name=Beta Svc", "--yes", "--no-sync", "--no-git"]
    made = subprocess.run(
        [*uvx, "asyncio-service", "new", str(tmp_path / "out"), *flags],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert made.returncode == 0, made.stderr[-3000:]
    answers = (tmp_path / "out" / ".copier-answers.yml").read_text(encoding="utf-8")
    assert f"_src_path: {checkout}\n" in answers
    no_test_tools = "import importlib.util as u, sys; sys.exit(u.find_spec('pytest') is not None)"
    assert (
        subprocess.run([*uvx, "python", "-c", no_test_tools], env=env, check=False).returncode == 0
    )
