"""Bad input to `asyncio-service new`: one line naming the value and the fix, exit 2, and
nothing left behind (a destination that already exists stays exactly as it was)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.driving import STOP, ScriptedAsker, new
from tests.repos import commit_all

PREFIX = "asyncio-service: "


OK = ("--yes", "--no-sync", "--data", "project_name=Beta Svc")


BAD_DATA = [
    pytest.param(["--data", "project_name="], "project name is empty; give one", id="empty-name"),
    pytest.param(
        ["--data", "project_name=9 Lives", "--data", "package_name=9_lives"],
        "package name '9_lives' is not a lowercase Python identifier starting with a letter;"
        " use letters, digits and '_', e.g. 'service_9_lives'",
        id="name-starts-with-digit",
    ),
    pytest.param(
        ["--data", "package_name=class"],
        "package name 'class' is a Python keyword; pick another, e.g. 'class_service'",
        id="keyword",
    ),
    pytest.param(
        ["--data", "package_name=asyncio"],
        "package name 'asyncio' is a standard-library module; pick another",
        id="stdlib",
    ),
    pytest.param(
        ["--data", "rpc=grpc"],
        "'rpc' is not a question of this template; use one of:",
        id="unknown-key",
    ),
    pytest.param(
        ["--data", "license=GPL"],
        "license='GPL' is not one of 'MIT'",
        id="outside-choices",
    ),
    pytest.param(
        ["--preset", "cron"],
        "preset 'cron' is not one of 'worker', 'api', 'api+worker', 'custom'; pick one",
        id="unknown-preset",
    ),
    pytest.param(
        ["--data", "project_name"],
        "--data 'project_name' is not key=value; write it as e.g. --data project_name='Acme'",
        id="data-without-equals",
    ),
    pytest.param(
        ["--vcs-ref", "v9.9.9"],
        "--vcs-ref 'v9.9.9' is not a tag, branch or commit of",
        id="unknown-ref",
    ),
    pytest.param(["--bogus"], "unrecognized arguments: --bogus; see", id="unknown-flag"),
]


def assert_one_line(err: str, *fragments: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(PREFIX)
    for fragment in fragments:
        assert fragment in lines[0]


def assert_nothing_behind(folder: Path, *expected: str) -> None:
    assert sorted(os.listdir(folder)) == sorted(expected)


@pytest.mark.parametrize(("flags", "message"), BAD_DATA)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    flags: list[str],
    message: str,
    template_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = new(capsys, tmp_path / "out", template_repo, *OK, *flags)
    assert result.code == 2
    assert_one_line(result.err, message)
    assert_nothing_behind(tmp_path)


def test_an_unavailable_preset_is_one_line_naming_the_missing_question(
    rpc_preset_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = new(capsys, tmp_path / "out", rpc_preset_repo, *OK, "--preset", "rpc-service")
    assert result.code == 2
    assert_one_line(
        result.err,
        "preset 'rpc-service' needs the 'rpc' question, which this template version does not"
        " have yet; pick another preset or 'custom'",
    )
    assert_nothing_behind(tmp_path, "own-template")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            None, "cannot read --data-file {file!r} (No such file or directory)", id="missing"
        ),
        pytest.param(
            "- a list\n",
            "--data-file {file!r} is not a YAML mapping of question: "
            "answer; write e.g. 'project_name: Acme Worker'",
            id="not-a-mapping",
        ),
        pytest.param(
            "project_name: [unclosed\n",
            "--data-file {file!r} is not valid YAML at line 2; fix it",
            id="not-yaml",
        ),
        pytest.param(b"\xff\xfe", "cannot read --data-file {file!r}", id="not-text"),
    ],
)
def test_an_unusable_data_file_is_one_line_exit_2_and_nothing_written(
    content: str | bytes | None,
    message: str,
    template_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    data_file = inputs / "answers.yml"
    if isinstance(content, str):
        data_file.write_text(content)
    elif isinstance(content, bytes):
        data_file.write_bytes(content)
    result = new(capsys, tmp_path / "out", template_repo, *OK, "--data-file", str(data_file))
    assert result.code == 2
    assert_one_line(result.err, message.format(file=str(data_file)))
    assert_nothing_behind(tmp_path, "inputs")


def test_a_dest_that_is_not_empty_is_refused_and_left_untouched(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "mine.txt").write_text("keep me\n")
    result = new(capsys, dest, template_repo, *OK)
    assert result.code == 2
    assert_one_line(result.err, f"destination {str(dest)!r} is not empty; pick a new folder")
    assert os.listdir(dest) == ["mine.txt"]
    assert (dest / "mine.txt").read_text() == "keep me\n"
    assert_nothing_behind(tmp_path, "out")


def test_a_dest_that_is_a_file_is_refused_and_left_untouched(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out"
    dest.write_text("a file\n")
    result = new(capsys, dest, template_repo, *OK)
    assert result.code == 2
    assert_one_line(result.err, f"destination {str(dest)!r} is a file")
    assert dest.read_text() == "a file\n"


def test_a_template_folder_that_is_not_a_git_checkout_is_refused(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(template_repo, plain, ignore=shutil.ignore_patterns(".git"))
    result = new(capsys, tmp_path / "out", plain, *OK)
    assert result.code == 2
    assert_one_line(
        result.err,
        f"template {str(plain)!r} is not the root of a git checkout",
        "pass its git URL or a git clone with its tags",
    )
    assert_nothing_behind(tmp_path, "plain")


def test_a_template_path_that_does_not_exist_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "nowhere")
    result = new(capsys, tmp_path / "out", Path(missing), *OK)
    assert result.code == 2
    assert_one_line(result.err, f"template {missing!r} does not exist; pass a git URL")
    assert_nothing_behind(tmp_path)


def test_without_a_terminal_a_question_without_an_answer_names_the_flag(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = new(capsys, tmp_path / "out", template_repo)
    assert result.code == 2
    assert result.err == (
        "asyncio-service: no terminal to ask 'project_name'; pass --data project_name=..."
        " (or --defaults for the rest)\n"
    )
    assert_nothing_behind(tmp_path)


def test_without_a_terminal_defaults_still_need_the_questions_that_have_none(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = new(capsys, tmp_path / "out", template_repo, "--defaults")
    assert result.code == 2
    assert_one_line(
        result.err,
        "no terminal to ask 'project_name', which has no default; pass --data project_name=...",
    )


def test_without_a_terminal_writing_needs_yes(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out"
    result = new(capsys, dest, template_repo, "--defaults", "--data", "project_name=Beta Svc")
    assert result.code == 2
    assert_one_line(result.err, f"no terminal to confirm writing {str(dest)!r}; pass --yes")
    assert_nothing_behind(tmp_path)


def test_verify_without_uv_on_path_is_refused_before_anything_runs(
    template_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.delenv("UV", raising=False)  # set when the tests run under `uv run`
    result = new(capsys, tmp_path / "out", template_repo, *OK, "--verify")
    assert result.code == 2
    assert_one_line(
        result.err, "--verify runs the project's checks with uv, which is not on PATH; install uv"
    )
    assert_nothing_behind(tmp_path)


@pytest.mark.parametrize("prompt", ["_preset", "project_name", "event_loop", "_confirm"])
def test_ctrl_c_at_any_prompt_stops_with_one_line_exit_1_and_nothing_written(
    prompt: str, template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asker = ScriptedAsker({"project_name": "Beta Svc", prompt: STOP})
    result = new(capsys, tmp_path / "out", template_repo, "--no-sync", asker=asker)
    assert result.code == 1
    assert result.err == "asyncio-service: Stopped by user\n"
    assert asker.asked[-1] == prompt
    assert_nothing_behind(tmp_path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            lambda repo: (repo / "template" / "broken.txt.jinja").write_text("{{ oops\n"),
            "unexpected end of template",
            id="jinja-syntax",
        ),
        pytest.param(
            lambda repo: (repo / "copier.yml").write_text(
                (repo / "copier.yml").read_text().replace('"9.4.0"', '"99.0.0"')
            ),
            "99.0.0",
            id="newer-copier-needed",
        ),
    ],
)
def test_a_copier_error_while_rendering_is_one_line_and_nothing_written(
    change: Callable[[Path], object],
    message: str,
    own_template_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    change(own_template_repo)
    commit_all(own_template_repo, "A template copier refuses", tag="v0.2.0")
    result = new(capsys, tmp_path / "out", own_template_repo, *OK)
    assert result.code == 1
    assert_one_line(result.err, "copier could not render the template:", message)
    assert_nothing_behind(tmp_path, "own-template")
