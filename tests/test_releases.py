"""Real releases to the working tree: a project made at each release updates as owners expect.

releases.toml names each release's commit. The tests tag those commits in a throwaway clone of
this repository and commit the working tree's template on top as the candidate version. For
each covering variant, a project made at a release gets an owner's usual edits (a child in
app.py, a setting, a dependency, a test, README lines, a renamed module, a deleted file) and is
updated with `asyncio-service update` and, from the same commit, plain `copier update`. The
checks are an owner's: every edit is still there (merged, or inside a conflict), every conflict
and every change copier would drop is listed with exit 1, the files the owner never touched are
the candidate's, and once the conflicts are resolved the project passes its checks: in full for
the default and the full-featured variant, and ruff plus importing every module for the rest.

The owner's edits are written against files the releases have; a release that lacks an anchor
fails with the anchor's name, to be given the same edit in its own words.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import copier
import pytest

from generator import losses, questions, releases, update

from .owners import Owner, Updated, owner_edits, passes_its_checks, resolve, uv
from .project import (
    ROOT,
    TEMPLATE_PARTS,
    clean_env,
    snapshot_template,
)
from .repos import commit_all
from .updating import git, run_cli

RECORDED = releases.load(ROOT)
COVERING = questions.load().covering()
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def features(answers: dict[str, Any]) -> int:
    return sum(value not in ("none", False, "memory", "asyncio") for value in answers.values())


FULL = {0, max(range(len(COVERING)), key=lambda i: features(COVERING[i]))}


def candidate_version() -> str:
    """The working tree's version: the newest CHANGELOG version not yet recorded, else the
    newest release with its patch number raised."""
    newest = max(r.version for r in RECORDED)
    headings = [releases.parse_version(m["title"]) for m in releases.HEADING.finditer(CHANGELOG)]
    pending = [v for v in headings if v is not None and v > newest]
    if pending:
        return f"v{max(pending)}"
    return f"v{newest.major}.{newest.minor}.{newest.micro + 1}"


@dataclass(frozen=True)
class Source:
    path: Path
    candidate: str


@pytest.fixture(scope="session")
def source(tmp_path_factory: pytest.TempPathFactory, git_config_file: Path) -> Iterator[Source]:
    """A clone of this repository with every release tagged and the working tree on top."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIT_CONFIG_GLOBAL", str(git_config_file))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        clone = tmp_path_factory.mktemp("releases") / "template"
        git(ROOT.parent, "clone", "--quiet", "--shared", str(ROOT), str(clone))
        for release in RECORDED:
            try:
                git(clone, "cat-file", "-e", f"{release.commit}^{{commit}}")
            except subprocess.CalledProcessError:
                pytest.fail(
                    f"release {release.version}'s commit {release.commit} is not in this "
                    "checkout; fetch the whole history (git fetch --unshallow)"
                )
            git(clone, "tag", release.tag, release.commit)
        for part in (*TEMPLATE_PARTS, "CHANGELOG.md", releases.RELEASES_FILE):
            if (clone / part).is_dir():
                shutil.rmtree(clone / part)
            else:
                (clone / part).unlink(missing_ok=True)
        snapshot_template(clone)
        for part in ("CHANGELOG.md", releases.RELEASES_FILE):
            shutil.copy2(ROOT / part, clone / part)
        candidate = candidate_version()
        git(clone, "add", "--all")  # the working tree may be the last commit: commit anyway
        git(clone, "commit", "--quiet", "--allow-empty", "-m", "The working tree, as candidate")
        git(clone, "tag", candidate)
        yield Source(clone, candidate)


def make_owned_project(source: Source, tag: str, answers: dict[str, Any], dest: Path) -> Owner:
    data = known_answers(source, tag, answers)
    copier.run_copy(str(source.path), str(dest), data=data, vcs_ref=tag, defaults=True, quiet=True)
    uv(dest, "lock")
    git(dest, "init", "-q", "-b", "main")
    commit_all(dest, f"Start from {tag}")
    return owner_edits(dest)


def test_every_recorded_release_has_a_changelog_section() -> None:
    assert RECORDED, "releases.toml records no release"
    titles = {m["title"] for m in releases.HEADING.finditer(CHANGELOG)}
    assert [r.version for r in RECORDED if str(r.version) not in titles] == []


def known_answers(source: Source, tag: str, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers the release `tag` can take: its questions, its choices."""
    tree = source.path.parent / f"questions-{tag}"
    if not tree.exists():
        tree.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(source.path), "archive", tag, "copier.yml", "includes"],
            capture_output=True,
            check=True,
        )
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    then = questions.load(tree)
    names = {q.name for q in then.asked}
    # redis-streams brings Redis without asking now; the releases before asked redis first.
    given = {"redis": True, **answers} if answers.get("work_source") == "redis-streams" else answers
    return {
        name: value
        for name, value in given.items()
        if name in names and (not then[name].choices or value in then[name].values())
    }


def listed(out: str) -> list[str]:
    lines = out.splitlines()
    if update.ATTENTION not in lines:
        return []
    after = lines[lines.index(update.ATTENTION) + 1 :]
    return [line.strip() for line in after[: after.index("") if "" in after else None]]


def marked_files(project: Path) -> set[str]:
    return {
        p.relative_to(project).as_posix()
        for p in project.rglob("*")
        if p.is_file()
        and not {".git", ".venv"} & set(p.relative_to(project).parts)
        and losses.MARKERS.search(p.read_bytes())
    }


def fresh(source: Source, project: Path, dest: Path) -> Path:
    """The candidate rendered with the project's answers after the update: no owner edits."""
    answers = update.answers_of(project)
    data = {k: v for k, v in answers.items() if not k.startswith("_")}
    copier.run_copy(
        str(source.path), str(dest), data=data, vcs_ref=source.candidate, defaults=True, quiet=True
    )
    return dest


def check_update(source: Source, owner: Owner, data: dict[str, str], tmp_path: Path) -> Updated:
    """Update with both tools; assert what the owner would check; return what was listed."""
    project = owner.path
    plain = tmp_path / "plain"
    shutil.copytree(project, plain, symlinks=True)
    base = git(project, "rev-parse", "HEAD").strip()
    first = git(project, "rev-list", "--max-parents=0", "HEAD").strip()
    argv = ["update", str(project), "--yes", "--vcs-ref", source.candidate]
    for key, value in data.items():
        argv += ["--data", f"{key}={value}"]

    code, out, err = run_cli(*argv)

    needs = listed(out)
    assert code == (1 if needs else 0), err
    assert f"-> {source.candidate}" in out
    assert git(project, "rev-parse", "HEAD").strip() == base  # nothing committed
    marked = marked_files(project)
    assert {f"{name} (conflict markers)" for name in marked} <= set(needs)
    target = fresh(source, project, tmp_path / "fresh")
    assert_renamed_and_deleted_are_reported(owner, first, target, needs)
    for relative, lines in owner.kept_text.items():
        text = (project / relative).read_text(encoding="utf-8")
        missing = [line for line in lines if line not in text]
        assert missing == [], f"{relative} lost the owner's lines {missing}"
    # Every file the owner never touched is the candidate's.
    edited = set(git(project, "diff", "--no-renames", "--name-only", first, "HEAD").splitlines())
    for relative in losses.files(target):
        if relative not in edited | marked | {"uv.lock", update.ANSWERS_FILE}:
            assert (project / relative).read_bytes() == (target / relative).read_bytes(), relative
    check_plain_copier(source, plain, data, marked)
    kept = [line.split()[1].rstrip(":") for line in out.splitlines() if line.startswith("kept ")]
    return Updated(needs, kept)


def assert_renamed_and_deleted_are_reported(
    owner: Owner, first: str, target: Path, needs: list[str]
) -> None:
    """A template change to the renamed module, or its removal, is listed with the new name;
    a change to the deleted test module is listed; an unchanged one is not brought back."""
    project = owner.path
    old_name, new_name = owner.renamed
    made = git(project, "show", f"{first}:{old_name}")
    if not (target / old_name).is_file() or (target / old_name).read_text() != made:
        assert any(line.startswith(f"{old_name} (") and new_name in line for line in needs)
    deleted = "tests/test_health.py"
    made = git(project, "show", f"{first}:{deleted}")
    if (target / deleted).is_file() and (target / deleted).read_text() != made:
        assert any(line.startswith(f"{deleted} (") and "you deleted it" in line for line in needs)
    assert not (project / deleted).exists()


def check_plain_copier(
    source: Source, project: Path, data: dict[str, str], marked: set[str]
) -> None:
    """Plain `copier update` of the same commit: exit 0 whatever happens, the same markers."""
    argv = [str(Path(sys.executable).parent / "copier"), "update", "--defaults", "--skip-answered"]
    argv += ["--conflict", "inline", "--vcs-ref", source.candidate]
    for key, value in data.items():
        argv += ["--data", f"{key}={value}"]
    done = subprocess.run(
        argv, cwd=project, env=clean_env(), capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert marked_files(project) == marked


def test_the_candidate_is_newer_than_every_release() -> None:
    version = releases.parse_version(candidate_version())
    assert version is not None
    assert version > max(r.version for r in RECORDED)


# Every covering variant from the newest release, the update owners make next; from the first
# release, whose update crosses every change since, the default and the full-featured variant.
UPDATES = [(RECORDED[-1].tag, index) for index in range(len(COVERING))]
if RECORDED[0].tag != RECORDED[-1].tag:
    UPDATES += [(RECORDED[0].tag, index) for index in sorted(FULL)]


def changed_answers(source: Source, project: Path, answers: dict[str, Any]) -> dict[str, str]:
    """The answers the release could not take, given to the update as --data."""
    known = known_answers(source, source.candidate, answers)
    recorded = update.answers_of(project)
    return {
        key: str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in known.items()
        if recorded.get(key) != value
    }


@pytest.mark.variant
@pytest.mark.parametrize(("release", "index"), UPDATES, ids=[f"{r}-v{i}" for r, i in UPDATES])
def test_a_project_made_at_a_release_updates_to_the_candidate(
    source: Source, release: str, index: int, tmp_path: Path
) -> None:
    answers = COVERING[index]
    owner = make_owned_project(source, release, answers, tmp_path / "acme")
    updated = check_update(source, owner, changed_answers(source, owner.path, answers), tmp_path)
    resolve(owner, updated, tmp_path / "fresh")
    assert marked_files(owner.path) == set()
    passes_its_checks(owner, full=index in FULL)


DEFAULTS = {"project_name": "Acme Worker"}


@pytest.mark.variant
@pytest.mark.parametrize(
    ("made", "change"),
    [
        ({}, {"web": "fastapi"}),
        ({}, {"database": "postgres", "redis": "true"}),
        ({"web": "aiohttp"}, {"web": "none"}),
    ],
    ids=["add-web", "add-postgres-and-redis", "remove-web"],
)
def test_changing_answers_while_updating_from_the_newest_release(
    source: Source, made: dict[str, str], change: dict[str, str], tmp_path: Path
) -> None:
    owner = make_owned_project(source, RECORDED[-1].tag, {**DEFAULTS, **made}, tmp_path / "acme")
    updated = check_update(source, owner, change, tmp_path)
    resolve(owner, updated, tmp_path / "fresh")
    assert marked_files(owner.path) == set()
    # Full checks where the new answers bring servers to test against; static for web.
    passes_its_checks(owner, full="database" in change)
