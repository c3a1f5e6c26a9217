"""Shared fixtures: template sources (a plain snapshot, tagged git repos), git identity, no tty."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator import questions
from tests import variant_lines
from tests.repos import add_rpc_preset, commit_all, make_template_repo

from .project import snapshot_template
from .updating import DRIVERS, Driver, TemplateRepo

# `LOAD_CORES=N pytest ...` runs the tests beside N processes that each keep a core busy, as a
# loaded machine would: the generated suites must pass there too.
BURNERS: list[subprocess.Popen[bytes]] = []


def pytest_configure(config: pytest.Config) -> None:
    variant_lines.pytest_configure(config)
    cores = os.environ.get("LOAD_CORES", "0")
    if not cores.isdigit():
        raise pytest.UsageError(f"LOAD_CORES={cores!r} is not a number of cores; give e.g. 2")
    if not hasattr(config, "workerinput"):  # the controller only, not each xdist worker
        burn = "while True: pass"
        BURNERS.extend(subprocess.Popen([sys.executable, "-c", burn]) for _ in range(int(cores)))


def pytest_unconfigure(config: pytest.Config) -> None:
    for burner in BURNERS:
        burner.kill()
        burner.wait()


@pytest.fixture(scope="session")
def template_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A non-git snapshot of the template's working tree, shared by the session."""
    return snapshot_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def questionnaire() -> questions.Questionnaire:
    return questions.load()


@pytest.fixture(scope="session")
def git_config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = tmp_path_factory.mktemp("git") / "config"
    config.write_text(
        "[user]\n\tname = Test Runner\n\temail = runner@example.com\n"
        "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
    )
    return config


def use_git_config(patch: pytest.MonkeyPatch, config: Path) -> None:
    """Git sees only this configuration, whatever the machine running the tests has."""
    patch.setenv("GIT_CONFIG_GLOBAL", str(config))
    patch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture(autouse=True)
def git_config(git_config_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use_git_config(monkeypatch, git_config_file)
    return git_config_file


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-process tests run without a terminal, even under `pytest -s` in one."""
    monkeypatch.setattr(sys, "stdin", io.StringIO())


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory, git_config_file: Path) -> Path:
    """A tagged template repository shared by the tests that only read it."""
    with pytest.MonkeyPatch.context() as patch:
        use_git_config(patch, git_config_file)
        return make_template_repo(tmp_path_factory.mktemp("source") / "template")


@pytest.fixture
def own_template_repo(tmp_path: Path) -> Path:
    """A tagged template repository this test may change."""
    return make_template_repo(tmp_path / "own-template")


@pytest.fixture
def rpc_preset_repo(own_template_repo: Path) -> Path:
    """A later template version with a preset, `rpc-service`, that needs a missing question."""
    add_rpc_preset(own_template_repo)
    commit_all(own_template_repo, "A preset for a question to come", tag="v0.1.1")
    return own_template_repo


@pytest.fixture
def template(tmp_path: Path) -> TemplateRepo:
    """A template repository with a release, v1.0.0, that the test adds versions to."""
    return TemplateRepo(tmp_path / "template")


@pytest.fixture(params=sorted(DRIVERS))
def driver(request: pytest.FixtureRequest) -> Driver:
    """Each way an owner updates: `asyncio-service update` and plain `copier update`."""
    return DRIVERS[request.param]
