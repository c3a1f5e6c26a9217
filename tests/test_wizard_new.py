"""`asyncio-service new` without a terminal: every flag, and what it leaves on disk."""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

import copier
import pytest

from generator.render import CHECKS
from tests.driving import files_to_create, new, recorded, run, tree
from tests.repos import commit_all, git

BETA = ("--preset", "worker", "--data", "project_name=Beta Svc", "--yes", "--no-sync")


def test_new_with_flags_makes_a_git_repository_with_one_clean_commit(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out"
    result = new(capsys, dest, template_repo, *BETA)
    assert result.code == 0, result.err
    assert git(dest, "rev-list", "--count", "HEAD") == "1"
    assert git(dest, "status", "--porcelain", "--ignored") == ""
    assert git(dest, "log", "-1", "--format=%s") == (
        "Start Beta Svc from copier-asyncio-service v0.1.0"
    )
    assert sorted(git(dest, "ls-files").splitlines()) == sorted(tree(dest))
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_new_writes_the_same_files_as_copier_copy_with_the_same_answers(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out"
    assert new(capsys, dest, template_repo, *BETA).code == 0
    copied = tmp_path / "copied"
    copier.run_copy(
        str(template_repo), copied, data={"project_name": "Beta Svc"}, defaults=True, quiet=True
    )
    assert tree(dest) == tree(copied)
    assert tree(dest)  # the comparison above compared something


def test_the_answers_file_records_the_git_source_and_the_release_rendered(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out"
    assert new(capsys, dest, template_repo, *BETA).code == 0
    answers = recorded(dest)
    source = Path(str(answers["_src_path"]))
    assert source.is_absolute()
    assert Path(git(source, "rev-parse", "--show-toplevel")) == template_repo.resolve()
    assert answers["_commit"] == "v0.1.0"
    assert answers["project_name"] == "Beta Svc"


def test_a_relative_template_path_is_recorded_as_an_absolute_one(
    template_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(template_repo.parent)
    dest = tmp_path / "out"
    assert run(capsys, "new", str(dest), "--template", template_repo.name, *BETA).code == 0
    assert recorded(dest)["_src_path"] == str(template_repo)


def test_copier_update_brings_the_next_template_release_into_a_new_project(
    own_template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out"
    assert new(capsys, dest, own_template_repo, *BETA).code == 0
    (own_template_repo / "template" / "NOTES.md").write_text("Read me.\n")
    commit_all(own_template_repo, "Add notes", tag="v0.2.0")

    copier.run_update(dest, defaults=True, overwrite=True, quiet=True, unsafe=False)

    assert (dest / "NOTES.md").read_text() == "Read me.\n"
    assert recorded(dest)["_commit"] == "v0.2.0"


def test_dry_run_shows_answers_and_files_and_writes_nothing(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out"
    result = new(
        capsys, dest, template_repo, "--dry-run", "--defaults", "--data", "project_name=Beta Svc"
    )
    assert result.code == 0, result.err
    assert "package_name  beta_svc" in result.out
    assert "project_slug  beta-svc  (derived)" in result.out
    listed = files_to_create(result.out)
    assert ".copier-answers.yml" in listed
    assert "src/beta_svc/runtime/supervisor.py" in listed
    assert "nothing written" in result.out
    assert list(tmp_path.iterdir()) == []


def test_no_git_leaves_the_files_without_a_repository(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out"
    result = new(capsys, dest, template_repo, *BETA, "--no-git")
    assert result.code == 0, result.err
    assert not (dest / ".git").exists()
    assert ".copier-answers.yml" in tree(dest)
    assert not any("git:" in line for line in result.err_lines)


def test_each_step_prints_one_progress_line_to_stderr(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out"
    result = new(capsys, dest, template_repo, *BETA)
    assert result.err_lines == [
        "  • git: first commit 'Start Beta Svc from copier-asyncio-service v0.1.0'",
        f"  • created {dest}: {len(tree(dest))} files",
    ]
    assert "Answers:" in result.out


def test_data_beats_the_data_file_which_beats_the_preset_which_beats_the_default(
    own_template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (own_template_repo / "copier.yml").open("a") as file:
        file.write(
            "\nweb:\n  type: str\n  help: Web server\n  choices: [none, fastapi, aiohttp]\n"
            "  default: none\n"
        )
    commit_all(own_template_repo, "Ask for a web server", tag="v0.2.0")
    data_file = tmp_path / "answers.yml"
    data_file.write_text("project_name: From File\nweb: aiohttp\nlicense: Apache-2.0\n")

    def web_of(name: str, *flags: str) -> tuple[object, object, object]:
        dest = tmp_path / name
        base = ("new", str(dest), "--template", str(own_template_repo), "--yes", "--no-sync")
        result = run(capsys, *base, "--no-git", *flags)
        assert result.code == 0, result.err
        answers = recorded(dest)
        return answers.get("web"), answers["license"], answers["project_name"]

    named = ("--data", "project_name=Beta Svc")
    assert web_of("default", *named) == ("none", "MIT", "Beta Svc")
    assert web_of("preset", *named, "--preset", "api") == ("fastapi", "MIT", "Beta Svc")
    assert web_of("file", "--preset", "api", "--data-file", str(data_file)) == (
        "aiohttp",
        "Apache-2.0",
        "From File",
    )
    assert web_of(
        "data", "--preset", "api", "--data-file", str(data_file), "--data", "web=none", *named
    ) == ("none", "Apache-2.0", "Beta Svc")


def test_without_dest_the_project_goes_to_its_slug_in_this_folder(
    template_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(capsys, "new", "--template", str(template_repo), *BETA)
    assert result.code == 0, result.err
    assert sorted(os.listdir(tmp_path)) == ["beta-svc"]
    assert recorded(tmp_path / "beta-svc")["package_name"] == "beta_svc"


def test_an_existing_empty_dest_is_filled_and_missing_parents_are_made(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    for dest in (tmp_path / "empty", tmp_path / "deep" / "er" / "out"):
        result = new(capsys, dest, template_repo, *BETA)
        assert result.code == 0, result.err
        assert (dest / ".copier-answers.yml").is_file()
        assert stat.S_IMODE(dest.stat().st_mode) & 0o755 == 0o755
    assert sorted(os.listdir(tmp_path)) == ["deep", "empty"]


def test_vcs_ref_renders_that_release_with_its_own_questions(
    own_template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = own_template_repo / "copier.yml"
    config.write_text(config.read_text().replace("default: An asyncio service", "default: V2"))
    commit_all(own_template_repo, "A new default description", tag="v0.2.0")
    base = ("--template", str(own_template_repo), *BETA)

    assert run(capsys, "new", str(tmp_path / "old"), *base, "--vcs-ref", "v0.1.0").code == 0
    assert run(capsys, "new", str(tmp_path / "latest"), *base).code == 0

    old, latest = recorded(tmp_path / "old"), recorded(tmp_path / "latest")
    assert (old["_commit"], old["description"]) == ("v0.1.0", "An asyncio service")
    assert (latest["_commit"], latest["description"]) == ("v0.2.0", "V2")


def test_the_first_commit_uses_the_answers_identity_only_when_git_has_none(
    template_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    author = ("--data", "author_name=Ada Team", "--data", "author_email=ada@example.com")
    assert new(capsys, tmp_path / "configured", template_repo, *BETA, *author).code == 0
    empty = tmp_path / "empty-gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    assert new(capsys, tmp_path / "unconfigured", template_repo, *BETA, *author).code == 0

    who = "--format=%an <%ae>"
    assert git(tmp_path / "configured", "log", who) == "Test Runner <runner@example.com>"
    assert git(tmp_path / "unconfigured", "log", who) == "Ada Team <ada@example.com>"


@pytest.fixture
def fake_uv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `uv` on PATH that logs each call and fails when its arguments match $FAIL_ON."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "uv.log"
    script = bin_dir / "uv"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$(basename "$PWD") $*" >> {log}\n'
        'if [ -n "$FAIL_ON" ] && [ "$*" = "$FAIL_ON" ]; then echo "Found 1 error" >&2; exit 1; fi\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def test_uv_sync_runs_in_the_new_project_unless_no_sync(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fake_uv: Path
) -> None:
    flags = (
        "--template",
        str(template_repo),
        "--preset",
        "worker",
        "--yes",
        "--data",
        "project_name=Beta Svc",
    )
    result = run(capsys, "new", str(tmp_path / "synced"), *flags)
    assert result.code == 0, result.err
    assert run(capsys, "new", str(tmp_path / "unsynced"), *flags, "--no-sync").code == 0
    assert fake_uv.read_text().splitlines() == ["synced lock --quiet", "synced sync"]
    assert result.err_lines[-2] == "  • uv sync: installing the project's packages ..."
    assert re.fullmatch(
        r"  • uv sync: installing the project's packages: done in \d+\.\d s", result.err_lines[-1]
    )


def test_verify_runs_the_project_checks_in_order_after_sync(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fake_uv: Path
) -> None:
    result = new(capsys, tmp_path / "out", template_repo, *BETA[:-1], "--verify")
    assert result.code == 0, result.err
    checks = [f"out {' '.join(command[1:])}" for command in CHECKS]
    expected = ["out lock --quiet", "out sync", *checks]
    assert fake_uv.read_text().splitlines() == expected
    done = [line for line in result.err_lines if re.search(r"check `uv run .*`: done in", line)]
    assert len(done) == len(CHECKS)


def test_a_failing_check_exits_1_naming_it_and_keeps_the_project(
    template_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fake_uv: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAIL_ON", "run mypy")
    dest = tmp_path / "out"
    result = new(capsys, dest, template_repo, *BETA, "--verify")
    assert result.code == 1
    assert result.err_lines[-1] == (
        f"asyncio-service: `uv run mypy` failed (exit 1): Found 1 error; the project is in"
        f" {str(dest)!r}: fix that and run it there again"
    )
    assert git(dest, "rev-list", "--count", "HEAD") == "1"


def test_without_uv_on_path_sync_is_skipped_with_a_note(
    template_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    git_only = tmp_path / "git-only"
    git_only.mkdir()
    real_git = shutil.which("git")
    assert real_git is not None
    (git_only / "git").symlink_to(real_git)
    monkeypatch.setenv("PATH", str(git_only))
    monkeypatch.delenv("UV", raising=False)  # set when the tests run under `uv run`
    dest = tmp_path / "out"
    result = new(capsys, dest, template_repo, *BETA[:-1])
    assert result.code == 0, result.err
    assert "uv sync: skipped, uv is not on PATH" in result.err_lines[-1]
