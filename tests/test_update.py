"""`copier update` across real template versions: temporary git repositories with real tags.

Each scenario is driven twice: through this package's update (`generator.update`) and through
plain `copier update`, because owners use both.
"""

from __future__ import annotations

import filecmp
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import questions, releases, update

from .project import run_checks
from .repos import commit_all
from .updating import (
    RUNTIME,
    TEMPLATE_RUNTIME,
    Driver,
    TemplateRepo,
    generate,
    git,
    run_cli,
    via_cli,
    via_module,
)

OWNER_EDIT = ('"""Open the resources and return the children, in start order."""', '"""Ours."""')


def test_runtime_change_arrives_and_owner_edits_survive(
    template: TemplateRepo, tmp_path: Path, driver: Driver
) -> None:
    project = generate(template, tmp_path / "acme")
    app = project / "src/acme_worker/app.py"
    app.write_text(app.read_text().replace(*OWNER_EDIT))
    commit_all(project, "owner edit")
    template.edit(
        TEMPLATE_RUNTIME / "health.py",
        "    def set_ready(self) -> None:\n",
        "    def set_ready(self) -> None:\n        # Never ready again once draining.\n",
    )
    template.release("2.0.0", "health: a comment.")

    assert driver(project, {}).conflicts == []
    assert "# Never ready again once draining." in (project / RUNTIME / "health.py").read_text()
    assert '"""Ours."""' in app.read_text()
    assert git(project, "log", "--oneline").count("\n") == 2  # nothing committed by the update


@pytest.mark.variant
def test_updated_project_passes_its_checks(template: TemplateRepo, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "acme")
    app = project / "src/acme_worker/app.py"
    app.write_text(app.read_text().replace(*OWNER_EDIT))
    commit_all(project, "owner edit")
    template.edit(
        TEMPLATE_RUNTIME / "health.py", "max_lag: float = 0.0", "max_lag: float = 0.0  # s"
    )
    template.release("2.0.0", "health: units.")
    assert via_module(project, {}).conflicts == []
    failed = [r for r in run_checks(project) if r.code != 0]
    assert not failed, failed[0].output[-3000:]


def test_both_sides_changing_the_same_lines_is_reported_and_not_committed(
    template: TemplateRepo, tmp_path: Path, driver: Driver
) -> None:
    project = generate(template, tmp_path / "acme")
    shutdown = project / RUNTIME / "shutdown.py"
    shutdown.write_text(shutdown.read_text().replace("SIGNALS = (", "SIGNALS: tuple[int, ...] = ("))
    commit_all(project, "owner edit")
    template.edit(TEMPLATE_RUNTIME / "shutdown.py", "SIGNALS = (", "HANDLED_SIGNALS = (")
    template.release("2.0.0", "shutdown: rename.")

    conflicts = driver(project, {}).conflicts

    assert conflicts == [f"{RUNTIME / 'shutdown.py'} (conflict markers)"]
    assert git(project, "log", "--oneline").count("\n") == 2
    guard = subprocess.run(
        [sys.executable, "-c", GUARD, str(project)], capture_output=True, text=True, check=False
    )
    assert guard.returncode == 1
    assert "shutdown.py (conflict markers)" in guard.stdout


# The generated project's own guard (tests/test_no_conflicts.py) run against the project.
GUARD = """
import importlib.util, sys
from pathlib import Path
root = Path(sys.argv[1])
spec = importlib.util.spec_from_file_location("guard", root / "tests" / "test_no_conflicts.py")
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
found = module.unfinished_merges(root)
print(found)
sys.exit(1 if found else 0)
"""


def test_changing_an_answer_equals_a_fresh_copy_plus_owner_edits(
    template: TemplateRepo, tmp_path: Path, driver: Driver
) -> None:
    project = generate(template, tmp_path / "acme")
    fresh = generate(template, tmp_path / "fresh", event_loop="uvloop")
    for tree in (project, fresh):
        app = tree / "src/acme_worker/app.py"
        app.write_text(app.read_text().replace(*OWNER_EDIT))
    commit_all(project, "owner edit")

    assert driver(project, {"event_loop": "uvloop"}).conflicts == []

    assert "import uvloop" in (project / "src/acme_worker/__main__.py").read_text()
    assert_same_tree(project, fresh)


def assert_same_tree(left: Path, right: Path) -> None:
    def files(root: Path) -> set[Path]:
        return {
            p.relative_to(root) for p in root.rglob("*") if ".git" not in p.parts and p.is_file()
        }

    assert files(left) == files(right)
    differ = [str(p) for p in sorted(files(left)) if not filecmp.cmp(left / p, right / p, False)]
    assert differ == []


def test_deleted_files_stay_deleted_and_template_removals_apply(
    template: TemplateRepo, tmp_path: Path, driver: Driver
) -> None:
    project = generate(template, tmp_path / "acme")
    (project / "LICENSE").unlink()
    edited = project / "tests/test_health.py"
    edited.write_text(edited.read_text() + "\n# owner's note\n")
    commit_all(project, "owner: no license file; a note in a test")
    for gone in ("template/tests/test_health.py.jinja", "template/tests/test_pool.py.jinja"):
        (template.path / gone).unlink()
    template.release("2.0.0", "tests: two files removed.")

    outcome = driver(project, {})

    assert not (project / "LICENSE").exists()
    assert not (project / "tests/test_pool.py").exists()
    if driver is via_cli:
        assert outcome.kept == ["tests/test_health.py"]
        assert "# owner's note" in edited.read_text()
    else:
        # Plain copier deletes the edited file too; it is not committed, so git brings it back.
        assert " D tests/test_health.py" in git(project, "status", "--porcelain")


@pytest.mark.parametrize("name", ["scratch.txt", "README.md"])  # new, and changed ('EADME.md')
def test_preflight_refuses_a_dirty_tree_naming_the_file_and_touches_nothing(
    template: TemplateRepo, tmp_path: Path, name: str
) -> None:
    project = generate(template, tmp_path / "acme")
    (project / name).write_text("wip\n")
    with pytest.raises(update.UpdateError, match=rf"uncommitted changes \('{re.escape(name)}'"):
        update.preflight(project)
    assert (project / name).read_text() == "wip\n"


def test_preflight_refuses_a_folder_that_is_not_a_repository(tmp_path: Path) -> None:
    project = tmp_path / "plain"
    project.mkdir()
    (project / update.ANSWERS_FILE).write_text("_src_path: x\n_commit: v1\n")
    with pytest.raises(update.UpdateError, match="is not a git repository; run 'git init"):
        update.preflight(project)


def test_preflight_refuses_an_unreachable_source(template: TemplateRepo, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "acme")
    shutil.rmtree(template.path)
    with pytest.raises(update.UpdateError, match="is not reachable as a git repository"):
        update.preflight(project)


def test_plan_lists_the_changelog_entries_between_the_versions(
    template: TemplateRepo, tmp_path: Path
) -> None:
    project = generate(template, tmp_path / "acme")
    template.release("1.1.0", "Minor things.")
    template.release("2.0.0", "Breaking: read this.")
    with update.plan(update.preflight(project), None, {}) as plan:
        assert (plan.current, plan.target) == ("v1.0.0", "v2.0.0")
        assert [title for title, _ in plan.notes] == ["2.0.0", "1.1.0"]
        assert "Breaking: read this." in plan.notes[0][1]


def test_plan_refuses_an_answer_key_the_target_does_not_ask(
    template: TemplateRepo, tmp_path: Path
) -> None:
    project = generate(template, tmp_path / "acme")
    with (
        pytest.raises(questions.AnswerError, match="'web_server' is not a question"),
        update.plan(update.preflight(project), None, {"web_server": "x"}),
    ):
        pass


@pytest.mark.parametrize(
    ("current", "target", "expected"),
    [
        ("v1.0.0", "v1.2.0", ["1.2.0", "1.1.0"]),
        ("v1.1.0", "v1.2.0-3-gabc1234", ["Unreleased", "1.2.0"]),
        ("v1.2.0", "v1.2.0", []),
        ("v1.2.0-3-gabc1234", "v1.2.0-3-gabc1234", []),
    ],
)
def test_notes_between_picks_the_sections_after_current(
    current: str, target: str, expected: list[str]
) -> None:
    changelog = "# C\n\n## Unreleased\n\nu\n\n## 1.2.0\n\nc\n\n## 1.1.0\n\nb\n\n## 1.0.0\n\na\n"
    assert [t for t, _ in releases.notes_between(changelog, current, target)] == expected


def test_cli_shows_versions_and_notes_before_updating(
    template: TemplateRepo, tmp_path: Path
) -> None:
    project = generate(template, tmp_path / "acme")
    template.release("1.1.0", "Needs your attention: rename SIGNALS.")
    code, out, err = run_cli("update", str(project), "--yes")
    assert code == 0, err
    assert "version  v1.0.0 -> v1.1.0" in out
    assert "## 1.1.0\nNeeds your attention: rename SIGNALS." in out
    assert "Updated. Review `git diff`, then commit." in out


def test_cli_says_when_there_is_nothing_to_do(template: TemplateRepo, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "acme")
    code, out, _ = run_cli("update", str(project), "--yes")
    assert code == 0
    assert "nothing to do" in out


@pytest.mark.parametrize(
    ("setup", "argv", "message"),
    [
        ("dirty", [], "has uncommitted changes ('scratch.txt'"),
        ("clean", ["--data", "web_server=x"], "'web_server' is not a question"),
        ("clean", ["--data", "event_loop=trio"], "event_loop='trio' is not one of"),
        ("clean", ["--data", "oops"], "oops"),
        ("clean", ["--vcs-ref", "v9.9.9"], "v9.9.9"),
        ("no-yes", [], "no terminal to confirm updating"),
    ],
)
def test_cli_bad_input_is_one_line_and_touches_nothing(
    template: TemplateRepo, tmp_path: Path, setup: str, argv: list[str], message: str
) -> None:
    template.release("1.1.0", "x")
    project = generate(template, tmp_path / "acme")
    if setup == "dirty":
        (project / "scratch.txt").write_text("wip\n")
    before = git(project, "status", "--porcelain")
    yes = [] if setup == "no-yes" else ["--yes"]
    code, _, err = run_cli("update", str(project), *yes, *argv)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("asyncio-service: ")
    assert message in err
    assert git(project, "status", "--porcelain") == before


def test_cli_refuses_a_folder_without_answers(tmp_path: Path) -> None:
    code, _, err = run_cli("update", str(tmp_path), "--yes")
    assert code == 2
    assert "has no .copier-answers.yml" in err
