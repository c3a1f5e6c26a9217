"""An update never loses anything in silence: each way copier's update drops or hides a change.

Each test here failed before the update reported it: a template change to a renamed or deleted
file, a conflict in a file that is not UTF-8, a binary file changed on both sides, a lone
`=======` line taken for a conflict, the CHANGELOG notes of a project made from a checkout
without tags, and a `uv.lock` left out of the first commit.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import losses, update

from .project import clean_env, render
from .repos import commit_all
from .updating import TemplateRepo, generate, git, run_cli, via_cli

PACKAGE = Path("src/acme_worker")
TEMPLATE_PACKAGE = Path("template/src/{{package_name}}")
EXAMPLE = TEMPLATE_PACKAGE / "example.py.jinja"
EXAMPLE_CHANGE = ('    """Pretend to work for', '    """Pretend to be working for')


def rename_example_module(project: Path) -> Path:
    """The owner's rename: `example.py` becomes `work.py` (no importer is needed to see it)."""
    git(project, "mv", str(PACKAGE / "example.py"), str(PACKAGE / "work.py"))
    commit_all(project, "owner: the example is our work now")
    return project / PACKAGE / "work.py"


def test_a_template_change_to_a_module_the_owner_renamed_is_reported_with_its_new_name(
    template: TemplateRepo, tmp_path: Path
) -> None:
    project = generate(template, tmp_path / "acme")
    work = rename_example_module(project)
    template.edit(EXAMPLE, *EXAMPLE_CHANGE)
    template.release("1.1.0", "example: a docstring.")

    code, out, err = run_cli("update", str(project), "--yes")

    assert code == 1, err
    assert (
        f"  {PACKAGE}/example.py (the template changed it and you renamed it to "
        f"{PACKAGE}/work.py: apply the change below by hand)"
    ) in out.splitlines()
    assert f"The template's change to {PACKAGE}/example.py:" in out
    assert f"+{EXAMPLE_CHANGE[1]}" in out
    assert not (project / PACKAGE / "example.py").exists()
    assert EXAMPLE_CHANGE[0] in work.read_text()  # the owner's copy is untouched


def test_without_copiers_renders_the_update_renders_both_versions_itself(
    template: TemplateRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copier that renders under other names leaves nothing to keep: same report."""

    @contextlib.contextmanager
    def nothing_kept(scratch: Path) -> Iterator[dict[str, Path]]:
        yield {}

    monkeypatch.setattr(losses, "copier_renders", nothing_kept)
    project = generate(template, tmp_path / "acme")
    rename_example_module(project)
    template.edit(EXAMPLE, *EXAMPLE_CHANGE)
    template.release("1.1.0", "example: a docstring.")

    outcome = via_cli(project, {})

    assert [line.split(" (")[0] for line in outcome.conflicts] == [f"{PACKAGE}/example.py"]


def test_a_template_change_to_a_file_the_owner_deleted_is_reported(
    template: TemplateRepo, tmp_path: Path
) -> None:
    project = generate(template, tmp_path / "acme")
    (project / "tests/test_pool.py").unlink()
    commit_all(project, "owner: no pool tests")
    template.edit("template/tests/test_pool.py.jinja", '"""', '"""Pool: ')
    template.release("1.1.0", "tests: a docstring.")

    outcome = via_cli(project, {})

    assert outcome.conflicts == [
        "tests/test_pool.py (the template changed it and you deleted it: apply the change "
        "below by hand)"
    ]
    assert not (project / "tests/test_pool.py").exists()


LATIN_1 = "Caf\xe9 notes\nline two\nline three\n"


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_a_conflict_in_a_file_that_is_not_utf8_is_reported(
    template: TemplateRepo, tmp_path: Path, encoding: str
) -> None:
    notes = template.path / "template/notes.txt"
    notes.write_bytes(LATIN_1.encode(encoding))
    template.release("1.0.1", "notes.")
    project = generate(template, tmp_path / "acme", ref="v1.0.1")
    (project / "notes.txt").write_bytes(LATIN_1.replace("two", "2").encode(encoding))
    commit_all(project, "owner: digits")
    notes.write_bytes(LATIN_1.replace("two", "II").encode(encoding))
    template.release("1.1.0", "notes: roman.")

    code, out, _ = run_cli("update", str(project), "--yes")

    assert code == 1
    assert "Updated." not in out
    assert re.search(r"^  notes\.txt(\.template)? \(", out, re.MULTILINE), out


def test_a_binary_file_changed_on_both_sides_keeps_the_owners_and_writes_the_templates_beside(
    template: TemplateRepo, tmp_path: Path
) -> None:
    logo = template.path / "template/logo.bin"
    logo.write_bytes(b"\x89PNG\0base")
    (template.path / "template/icon.bin").write_bytes(b"\0icon")
    template.release("1.0.1", "logo.")
    project = generate(template, tmp_path / "acme", ref="v1.0.1")
    (project / "logo.bin").write_bytes(b"\x89PNG\0ours")
    (project / "icon.bin").write_bytes(b"\0our icon")  # only the owner changes this one
    commit_all(project, "owner: our logo and icon")
    logo.write_bytes(b"\x89PNG\0theirs")
    template.release("1.1.0", "logo: new.")

    outcome = via_cli(project, {})

    assert outcome.conflicts == [
        "logo.bin (binary, changed by you and by the template: yours is kept, the template's "
        "is beside it as logo.bin.template)"
    ]
    assert (project / "logo.bin").read_bytes() == b"\x89PNG\0ours"
    assert (project / "logo.bin.template").read_bytes() == b"\x89PNG\0theirs"
    assert (project / "icon.bin").read_bytes() == b"\0our icon"


# The generated project's own guard (tests/test_no_conflicts.py), run against a folder.
GUARD = """
import importlib.util, sys
from pathlib import Path
root, target = Path(sys.argv[1]), Path(sys.argv[2])
spec = importlib.util.spec_from_file_location("guard", root / "tests" / "test_no_conflicts.py")
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
print(module.unfinished_merges(target))
"""
RST = "Title\n=======\n\nText.\n"
MARKED = "a\n<<<<<<< before updating\nb\n=======\nc\n>>>>>>> after updating\n"


def test_a_title_underline_is_not_a_conflict_but_a_marker_set_is_in_any_encoding(
    template_source: Path, tmp_path: Path
) -> None:
    project = render(template_source, tmp_path / "acme", {"project_name": "Acme Worker"})
    sample = tmp_path / "sample"
    sample.mkdir()
    (sample / "index.rst").write_text(RST)
    (sample / "marked.txt").write_bytes(("caf\xe9\n" + MARKED).encode("latin-1"))

    done = subprocess.run(
        [sys.executable, "-c", GUARD, str(project), str(sample)],
        capture_output=True,
        text=True,
        check=True,
    )

    assert done.stdout.strip() == "['marked.txt (conflict markers)']"
    assert not losses.MARKERS.search(RST.encode())


def test_the_generated_ci_step_ignores_a_title_underline_and_finds_a_marker_set(
    template_source: Path, tmp_path: Path
) -> None:
    project = render(template_source, tmp_path / "acme", {"project_name": "Acme Worker"})
    workflow = (project / ".github/workflows/ci.yml").read_text()
    step = (
        workflow.split("No unfinished copier update")[1].split("run: |\n")[1].split("\n      -")[0]
    )
    (project / "index.rst").write_text(RST)
    git(project, "init", "-q")
    commit_all(project, "generated")

    def guard() -> int:
        return subprocess.run(["bash", "-e", "-c", step], cwd=project, check=False).returncode

    assert guard() == 0
    (project / "index.rst").write_text(RST + MARKED)
    commit_all(project, "a merge left unfinished")
    assert guard() != 0
    assert "  - run: uv sync --locked\n" in workflow.replace("      - run", "  - run")


def test_notes_are_found_for_a_project_made_from_a_checkout_without_tags(
    template: TemplateRepo, tmp_path: Path
) -> None:
    """Tags do not travel with every clone: releases.toml names the commits instead."""
    first = git(template.path, "rev-parse", "HEAD").strip()
    git(template.path, "tag", "-d", "v1.0.0")
    project = generate(template, tmp_path / "acme", ref="HEAD")
    assert update.answers_of(project)["_commit"] == first[:7]
    template.release("1.1.0", "Minor things.")
    template.release("2.0.0", "Breaking: read this.")
    second = git(template.path, "rev-parse", "v1.1.0").strip()
    for tag in ("v1.1.0", "v2.0.0"):
        git(template.path, "tag", "-d", tag)
    (template.path / "releases.toml").write_text(
        f'[releases]\n"1.0.0" = "{first}"\n"1.1.0" = "{second}"\n'
    )
    commit_all(template.path, "record the releases")

    with update.plan(update.preflight(project), None, {}) as plan:
        assert plan.current == "v1.0.0"
        assert re.fullmatch(r"v1\.1\.0-2-g[0-9a-f]{7}", plan.target), plan.target
        assert [title for title, _ in plan.notes] == ["2.0.0", "1.1.0"]


@pytest.mark.variant
def test_new_commits_the_lock_and_an_update_that_adds_a_dependency_refreshes_it(
    template: TemplateRepo, tmp_path: Path
) -> None:
    project = tmp_path / "acme"
    source = ("--template", str(template.path), "--data", "project_name=Acme Worker")
    code, _, err = run_cli("new", str(project), *source, "--yes")
    assert code == 0, err
    assert "uv.lock" in git(project, "ls-files").split()
    assert git(project, "status", "--porcelain") == ""  # so the first update may start

    code, _, err = run_cli("update", str(project), "--yes", "--data", "database=sqlite")

    assert code == 0, err
    assert "uv.lock: refreshed with `uv lock`, because pyproject.toml changed" in err
    assert 'name = "aiosqlite"' in (project / "uv.lock").read_text()
    locked = subprocess.run(
        ["uv", "sync", "--locked", "--quiet"], cwd=project, env=clean_env(), check=False
    )
    assert locked.returncode == 0
