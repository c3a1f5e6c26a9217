"""A newcomer's first run of the wizard: what it says, where it writes, how it stops."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import copier
import pytest

from generator import render
from tests.driving import ScriptedAsker, new, run
from tests.project import clean_env
from tests.repos import git

COMMAND = str(Path(sys.executable).with_name("asyncio-service"))
BETA = ("--preset", "worker", "--data", "project_name=Beta Svc", "--yes", "--no-sync")


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "--version")
    assert result.code == 0
    assert re.fullmatch(r"asyncio-service \d+\.\d+\.\d+\S*\n", result.out)


def test_quiet_silences_the_progress_lines_but_not_the_result(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = new(capsys, tmp_path / "out", template_repo, *BETA, "--quiet")
    assert result.code == 0, result.err
    assert result.err == ""
    assert "Next steps:" in result.out


def test_a_long_step_says_what_runs_and_how_long_it_has_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "HEARTBEAT", 0.2)
    render.step(["sleep", "0.5"], tmp_path, "no fix", doing="waiting")
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "  • waiting ..."
    assert lines[1:-1] == ["  • waiting: still running, 0 s"] * (len(lines) - 2)
    assert len(lines) >= 3
    assert re.fullmatch(r"  • waiting: done in 0\.[5-9] s", lines[-1])


def test_next_steps_say_how_to_run_and_test_the_new_project(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out"
    result = new(capsys, dest, template_repo, *BETA)
    assert result.code == 0, result.err
    steps = result.out.split("Next steps:\n", 1)[1].splitlines()
    assert steps[0] == f"  cd {dest}"
    assert steps[1].startswith("  uv run beta-svc ")
    assert steps[2].startswith("  uv run pytest ")
    assert "PostgreSQL" not in result.out
    assert "Redis" not in result.out


@pytest.mark.parametrize("docker", [False, True])
def test_next_steps_name_the_servers_the_tests_need_and_how_to_start_them(
    docker: bool, template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ("--data", "database=postgres", "--data", "redis=true", "--data", f"docker={docker}")
    result = new(capsys, tmp_path / "out", template_repo, *BETA, *data)
    assert result.code == 0, result.err
    assert "PostgreSQL at 127.0.0.1:5432 (database `test`) and Redis at 127.0.0.1:6379" in (
        result.out
    )
    if docker:
        assert "  docker compose up -d postgres redis" in result.out
    else:
        assert "-e POSTGRES_DB=test postgres:17" in result.out
        assert "  docker run -d --rm -p 127.0.0.1:6379:6379 redis:7" in result.out


def test_copier_copy_prints_the_same_next_steps_as_the_wizard(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out"
    data = ("--data", "redis=true")
    wizard_out = new(capsys, dest, template_repo, *BETA, *data).out
    copied = tmp_path / "copied"
    copier.run_copy(
        str(template_repo),
        copied,
        data={"project_name": "Beta Svc", "redis": True},
        defaults=True,
        quiet=False,
    )
    copier_err = capsys.readouterr().err
    wizard_steps = wizard_out.split("Next steps:", 1)[1].replace(str(dest), str(copied))
    assert "Next steps:" + wizard_steps.rstrip() in copier_err


def test_the_summary_shows_booleans_as_yes_or_no(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = new(capsys, tmp_path / "out", template_repo, *BETA, "--data", "redis=1", "--dry-run")
    assert result.code == 0, result.err
    assert re.search(r"^  redis +yes$", result.out, flags=re.MULTILINE)
    assert re.search(r"^  docker +no$", result.out, flags=re.MULTILINE)


def test_a_destination_inside_the_template_checkout_is_refused_before_any_question(
    template_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A project there breaks every later render from the checkout: git takes it for a
    # submodule without a URL ("fatal: No url found for submodule path").
    asker = ScriptedAsker()
    dest = template_repo / "acme-worker"
    result = new(capsys, dest, template_repo, "--no-sync", asker=asker)
    assert result.code == 2
    assert result.err_lines == [
        f"asyncio-service: destination {str(dest)!r} is inside the template's git checkout"
        f" {str(template_repo.resolve())!r}, where a new project would break every later"
        f" render from it; pick a folder outside it, e.g."
        f" {str(template_repo.resolve().parent / 'acme-worker')!r}"
    ]
    assert asker.asked == []
    assert git(template_repo, "status", "--porcelain", "--ignored") == ""


def test_no_destination_inside_the_template_checkout_is_refused_too(
    template_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(template_repo / "template")
    asker = ScriptedAsker()
    result = run(capsys, "new", "--template", str(template_repo), asker=asker)
    assert result.code == 2
    assert len(result.err_lines) == 1
    assert "this folder is inside the template's git checkout" in result.err
    assert "give a destination outside it" in result.err
    assert asker.asked == []
    assert git(template_repo, "status", "--porcelain", "--ignored") == ""


def test_uv_run_own_uv_syncs_the_project_when_uv_is_not_on_path(
    template_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `pipx run uv run asyncio-service ...`: uv is not on PATH, but `uv run` names itself in $UV.
    log = tmp_path / "uv.log"
    fake = tmp_path / "uv-home" / "uv"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    fake.chmod(0o755)
    git_only = tmp_path / "git-only"
    git_only.mkdir()
    (git_only / "git").symlink_to(git_path())
    monkeypatch.setenv("PATH", str(git_only))
    monkeypatch.setenv("UV", str(fake))
    result = new(capsys, tmp_path / "out", template_repo, *BETA[:-1])
    assert result.code == 0, result.err
    assert log.read_text().splitlines() == ["lock --quiet", "sync"]
    assert "`pipx install uv` puts it there" in result.out


def git_path() -> str:
    found = subprocess.run(["which", "git"], capture_output=True, text=True, check=True)
    return found.stdout.strip()


@pytest.fixture(scope="module")
def interpreter_start() -> float:
    """Seconds this machine now takes to start Python and import the CLI module: before that,
    a Ctrl-C is the interpreter's to report, not the wizard's."""
    times = []
    for _ in range(3):
        began = time.monotonic()
        subprocess.run([sys.executable, "-c", "import generator.cli"], check=True)
        times.append(time.monotonic() - began)
    return max(times)


@pytest.mark.parametrize("after", [0.0, 0.1, 0.25, 0.5, 0.8])
def test_ctrl_c_in_the_first_second_prints_one_line_and_writes_nothing(
    after: float, interpreter_start: float, template_repo: Path, tmp_path: Path
) -> None:
    # Most of the first second goes to importing argparse, copier, jinja2 and prompt_toolkit.
    argv = [COMMAND, "new", "out", "--template", str(template_repo), *BETA]
    with subprocess.Popen(
        argv,
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        time.sleep(2 * interpreter_start + after)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (1, "asyncio-service: Stopped by user\n")
    assert os.listdir(tmp_path) == []
