"""`copier update` that loses nothing: preflight, what changes, the update, the conflict scan.

Copier's update is a three-way merge: it re-renders the project's recorded version with the
recorded answers, diffs that against the owner's tree, renders the target version and applies
the owner's diff on top. Where both sides touched the same lines it writes inline conflict
markers and still exits 0. This module refuses to start from an unclean state, and after the
merge it looks for those markers (and `.rej` files) so a conflict is reported, never committed.

Copier also settles some changes without a word (a template change to a file the owner
renamed or deleted, a binary file both sides changed); `losses` finds each of them after the
merge, from copier's own renders, and this module lists them with the conflicts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import copier
import yaml
from copier.errors import CopierError
from jinja2 import TemplateError
from plumbum import ProcessExecutionError

from . import losses, questions, releases
from .prompts import Asker, NoTerminalError, confirm
from .render import CHECKS, progress, step
from .source import Source, fetch
from .wizard import Declined, parse_data

ANSWERS_FILE = ".copier-answers.yml"
GIT_ENV = {"GIT_TERMINAL_PROMPT": "0"}
# What planning an update reads from the target: its questions, notes and releases.
PLANNED = ("copier.yml", "includes", "CHANGELOG.md", releases.RELEASES_FILE)


class UpdateError(Exception):
    """The update cannot start; the message says what to fix. Nothing was touched."""


class UpdateFailed(RuntimeError):
    """Copier failed part-way; the message says how to restore the project from git."""


@dataclass(frozen=True)
class Project:
    path: Path
    source: str
    commit: str
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class Plan:
    project: Project
    current: str
    target: str
    notes: list[tuple[str, str]]  # (version heading, CHANGELOG section) from current to target
    questionnaire: questions.Questionnaire


def git(*args: str, cwd: Path | None = None, timeout: float = 60) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise subprocess.CalledProcessError(
            done.returncode, ["git", *args], done.stdout, done.stderr
        )
    return done.stdout


def preflight(path: Path) -> Project:
    """Check that `path` can be updated: a clean git repository with a reachable source.

    Raises:
        UpdateError: naming what is wrong and how to fix it; nothing was touched.
    """
    if not path.is_dir():
        raise UpdateError(f"project {str(path)!r} is not a directory; give the project's folder")
    answers_path = path / ANSWERS_FILE
    if not answers_path.is_file():
        raise UpdateError(
            f"{str(path)!r} has no {ANSWERS_FILE}; it was not generated from this template "
            "(or the file was removed: restore it from git)"
        )
    try:
        top = Path(git("rev-parse", "--show-toplevel", cwd=path).strip())
    except subprocess.CalledProcessError:
        raise UpdateError(
            f"{str(path)!r} is not a git repository; run 'git init && git add -A && "
            "git commit -m init' there first, so the update can be reviewed and undone"
        ) from None
    if top.resolve() != path.resolve():
        raise UpdateError(
            f"{str(path)!r} is inside the repository {str(top)!r}; update from its top"
        )
    if dirty := git("status", "--porcelain", cwd=path).splitlines():
        # Each line is 'XY name': two status letters, either of which may be a space.
        first = dirty[0][3:].split(" -> ")[-1].strip('"')
        raise UpdateError(
            f"{str(path)!r} has uncommitted changes ({first!r} and maybe more); "
            "commit or stash them first"
        )
    answers = yaml.safe_load(answers_path.read_text(encoding="utf-8")) or {}
    source, commit = answers.get("_src_path"), answers.get("_commit")
    if not source or not commit:
        raise UpdateError(
            f"{ANSWERS_FILE} records no git template source (_src_path/_commit); the project was "
            "made from a non-git copy: set _src_path to the template's git URL and _commit to "
            "the version it was made from"
        )
    try:
        git("ls-remote", "--quiet", str(source), "HEAD", timeout=60)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        raise UpdateError(
            f"template source {source!r} is not reachable as a git repository; check the path "
            f"or network, or fix _src_path in {ANSWERS_FILE}"
        ) from None
    return Project(path, str(source), str(commit), answers)


@contextmanager
def plan(project: Project, vcs_ref: str | None, data: Mapping[str, Any]) -> Iterator[Plan]:
    """The update's versions and notes, with answers checked against the target's questions.

    Raises:
        AnswerError: `data` names a question the target does not have, or a bad value.
        SourceError: the ref does not exist in the template source.
        UpdateError: the target's releases.toml is malformed.
    """
    with fetch(Source(project.source, vcs_ref), only=PLANNED) as revision:
        questionnaire = questions.load(revision.root)
        questionnaire.check_keys(data)
        known = {q.name for q in questionnaire.asked}
        merged = {**project.answers, **data}
        questionnaire.resolve({k: v for k, v in merged.items() if k in known})
        try:
            recorded = releases.load(revision.root)
        except releases.ReleasesError as error:
            raise UpdateError(str(error)) from None
        repo = revision.git_dir
        described = git("describe", "--tags", "--always", revision.ref, cwd=repo)
        target = version_label(repo, described.strip(), recorded)
        current = version_label(repo, project.commit, recorded)
        changelog = revision.root / "CHANGELOG.md"
        text = changelog.read_text(encoding="utf-8") if changelog.is_file() else ""
        notes = releases.notes_between(text, current, target)
        yield Plan(project, current, target, notes, questionnaire)


def version_label(root: Path, ref: str, recorded: list[releases.Release]) -> str:
    """`ref` as a release name: itself when it is one, else by the releases recorded in data.

    A project made from a clone without tags records a bare commit (`a3e105c`); named after
    the release it is, or follows, its CHANGELOG notes can still be picked.
    """
    if releases.parse_version(ref) is not None:
        return ref
    return releases.describe(root, ref, recorded) or ref


@dataclass(frozen=True)
class Outcome:
    conflicts: list[str]  # files left with conflict markers, and .rej files
    kept: list[str]  # files the template removed but the owner had changed: restored
    notices: list[losses.Notice] = field(default_factory=list)  # changes copier would drop
    relocked: bool = False  # pyproject.toml changed and `uv lock` refreshed uv.lock

    @property
    def needs_owner(self) -> list[str]:
        """Every file the owner must look at before committing, one line each."""
        return [*self.conflicts, *(f"{n.path} ({n.reason})" for n in self.notices)]


def apply(project: Project, vcs_ref: str | None, data: Mapping[str, Any]) -> Outcome:
    """Run copier's update in place with inline conflict markers; report what needs the owner.

    Copier deletes every file the new version no longer ships, even one the owner edited; such
    files are restored from the owner's last commit and listed in `kept`. Template changes that
    copier would drop (files the owner renamed or deleted, binary files both sides changed) are
    `notices`. Never commits: the owner reviews `git diff` and commits.
    """
    with tempfile.TemporaryDirectory(prefix="asyncio-service-update-") as tmp:
        scratch = Path(tmp)
        with losses.copier_renders(scratch) as renders:
            try:
                copier.run_update(
                    str(project.path),
                    data=dict(data),
                    vcs_ref=vcs_ref,
                    defaults=True,
                    overwrite=True,
                    skip_answered=True,
                    conflict="inline",
                    quiet=True,
                    unsafe=False,
                )
            except (CopierError, ProcessExecutionError, TemplateError) as error:
                raise UpdateFailed(
                    f"copier update failed: {' '.join(str(error).split())}; "
                    "`git checkout -- . && git clean -fd` restores the project"
                ) from error
        old = renders.get("old") or render_at(project.source, project.answers, scratch / "old")
        new = renders.get("new") or render_at(
            project.source, answers_of(project.path), scratch / "new"
        )
        kept = losses.restore_changed_removals(project.path, old)
        notices = [
            *losses.binary_on_both_sides(project.path, old, new),
            *losses.renamed_or_deleted(project.path, old, new),
        ]
    conflicts = losses.unfinished_merges(project.path)
    return Outcome(conflicts, kept, notices, relock(project.path, conflicts))


def answers_of(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load((path / ANSWERS_FILE).read_text(encoding="utf-8")) or {}
    return dict(loaded)


def render_at(source: str, answers: Mapping[str, Any], into: Path) -> Path:
    """Render the version and answers an answers file records: when copier's are not kept."""
    copier.run_copy(
        source,
        str(into),
        data={k: v for k, v in answers.items() if not k.startswith("_")},
        vcs_ref=str(answers["_commit"]),
        defaults=True,
        quiet=True,
        unsafe=False,
    )
    return into


def relock(path: Path, conflicts: Sequence[str]) -> bool:
    """`uv lock` when the update changed pyproject.toml, so uv.lock matches it again.

    Returns whether uv.lock was refreshed; says why not when it was not.
    """
    changed = subprocess.run(
        ["git", "diff", "--quiet", "HEAD", "--", "pyproject.toml"], cwd=path, check=False
    )
    if changed.returncode == 0 or not (path / "uv.lock").is_file():
        return False
    if any(line.startswith("pyproject.toml ") for line in conflicts):
        progress("uv.lock: not refreshed; run `uv lock` once pyproject.toml is resolved")
        return False
    if shutil.which("uv") is None:
        progress("uv.lock: not refreshed, uv is not on PATH; install it and run `uv lock`")
        return False
    step(["uv", "lock", "--quiet"], path, "pyproject.toml changed; fix it, then run `uv lock`")
    progress("uv.lock: refreshed with `uv lock`, because pyproject.toml changed")
    return True


class Conflicts(RuntimeError):
    """The update left conflicts; the files are listed, nothing was committed."""


@dataclass(frozen=True)
class UpdateOptions:
    project: Path = Path()
    data: Sequence[str] = ()
    vcs_ref: str | None = None
    yes: bool = False
    verify: bool = False


ATTENTION = "Needs your attention (resolve each, then commit):"


def run(options: UpdateOptions, asker: Asker | None) -> None:
    """`asyncio-service update`: preflight, show what changes, confirm, update, report.

    Raises:
        UpdateError, AnswerError, SourceError: bad input; nothing was touched.
        Conflicts: the merge left conflicts, or a change copier would drop (listed on stdout).
    """
    project = preflight(options.project)
    data = parse_data(options.data)
    with plan(project, options.vcs_ref, data) as update_plan:
        print(describe(update_plan))
        if update_plan.current == update_plan.target and not data:
            print("Already at the target version; nothing to do.")
            return
        if not options.yes:
            if asker is None:
                raise NoTerminalError(
                    f"no terminal to confirm updating {str(project.path)!r}; pass --yes"
                )
            if not confirm(asker, "Update the project now?"):
                raise Declined(f"nothing changed in {str(project.path)!r}")
    progress(f"copier update: {update_plan.current} -> {update_plan.target}")
    outcome = apply(project, options.vcs_ref, data)
    for name in outcome.kept:
        print(f"kept {name}: the template removed it, but you had changed it; delete it if unused")
    if outcome.needs_owner:
        print(ATTENTION)
        print("\n".join(f"  {line}" for line in outcome.needs_owner))
        for notice in outcome.notices:
            if notice.change:
                print(f"\nThe template's change to {notice.path}:\n{notice.change.rstrip()}")
        count = len(outcome.needs_owner)
        raise Conflicts(
            f"{count} file{'s' * (count != 1)} with conflicts in {str(project.path)!r}; "
            "resolve them, run the checks, then commit"
        )
    if options.verify:
        fix = "the update is applied but not committed: fix the project, then commit"
        for command in CHECKS:
            step(command, project.path, fix)
            progress(f"check passed: {' '.join(command)}")
    print("Updated. Review `git diff`, then commit.")


def describe(update_plan: Plan) -> str:
    """The versions and the CHANGELOG sections between them, for the owner to read first."""
    recorded = update_plan.project.commit
    current = update_plan.current
    if recorded != current:
        current += f" (recorded as {recorded})"
    lines = [
        f"Project {update_plan.project.path.absolute()}",
        f"  template {update_plan.project.source}",
        f"  version  {current} -> {update_plan.target}",
    ]
    for title, body in update_plan.notes:
        lines += ["", f"## {title}", body]
    return "\n".join(lines)
