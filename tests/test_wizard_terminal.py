"""`asyncio-service new` in a real pseudo-terminal, answered by keystrokes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect

from tests.driving import recorded
from tests.repos import git

COMMAND = str(Path(sys.executable).with_name("asyncio-service"))
ENTER, DOWN, CLEAR_LINE, CTRL_C = "\r", "\x1b[B", "\x15", "\x03"


def spawn(*args: str, cwd: Path) -> pexpect.spawn[str]:
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1"}
    return pexpect.spawn(
        COMMAND,
        list(args),
        cwd=str(cwd),
        env=env,
        encoding="utf-8",
        timeout=10,
        dimensions=(40, 200),
    )


def test_a_user_makes_the_project_by_answering_the_prompts_in_a_terminal(
    template_repo: Path, tmp_path: Path
) -> None:
    child = spawn("new", "out", "--template", str(template_repo), "--no-sync", cwd=tmp_path)
    child.expect("What are you building")
    child.send(ENTER)  # the first available preset: worker
    child.expect("project_name: ")
    child.send("Beta Svc" + ENTER)
    child.expect("package_name: ")
    child.send(CLEAR_LINE + "class" + ENTER)
    child.expect("is a Python keyword")
    child.send(CLEAR_LINE + "beta_core" + ENTER)
    for question in ("description", "author_name", "author_email", "python_min"):
        child.expect(f"{question}: ")
        child.send(ENTER)
    child.expect("http_client: ")
    child.send(ENTER)
    child.expect("event_loop: ")
    child.send(DOWN + ENTER)
    questions = ("example_rate", "license", "ci", "database", "work_source", "redis", "metrics")
    for question in (*questions, "docker"):
        child.expect(f"{question}: ")
        child.send(ENTER)
    child.expect("Files to create")
    child.expect(r"Create out\?")
    child.send("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    dest = tmp_path / "out"
    answers = recorded(dest)
    assert (answers["project_name"], answers["package_name"]) == ("Beta Svc", "beta_core")
    assert answers["event_loop"] == "uvloop"
    assert git(dest, "rev-list", "--count", "HEAD") == "1"


def test_ctrl_c_at_a_prompt_in_a_terminal_stops_with_one_line_and_writes_nothing(
    template_repo: Path, tmp_path: Path
) -> None:
    child = spawn("new", "out", "--template", str(template_repo), cwd=tmp_path)
    child.expect("What are you building")
    child.send(ENTER)
    child.expect("project_name: ")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "asyncio-service: Stopped by user" in (child.before or "")
    assert "Traceback" not in (child.before or "")
    assert os.listdir(tmp_path) == []
