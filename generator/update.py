"""`copier update` that loses nothing: preflight, what changes, the update, the conflict scan.

Copier's update is a three-way merge: it re-renders the project's recorded version with the
recorded answers, diffs that against the owner's tree, renders the target version and applies
the owner's diff on top. Where both sides touched the same lines it writes inline conflict
markers and still exits 0. This module refuses to start from an unclean state, and after the
merge it looks for those markers (and `.rej` files) so a conflict is reported, never committed.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import copier
import yaml
from copier.errors import CopierError
from jinja2 import TemplateError
from packaging.version import InvalidVersion, Version
from plumbum import ProcessExecutionError

from . import questions
from .prompts import Asker, NoTerminalError, confirm
from .render import CHECKS, progress, step
from .source import Source, fetch
from .wizard import Declined, parse_data

ANSWERS_FILE = ".copier-answers.yml"
MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.MULTILINE)
HEADING = re.compile(r"^## +(?P<title>\S+)", re.MULTILINE)
GIT_ENV = {"GIT_TERMINAL_PROMPT": "0"}


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
    if dirty := git("status", "--porcelain", cwd=path).strip():
        first = dirty.splitlines()[0][3:]
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


def parse_version(text: str) -> Version | None:
    """The release a tag or `git describe` output names, e.g. 'v1.2.0-3-gabc' → 1.2.0."""
    head = re.sub(r"-\d+-g[0-9a-f]+$", "", text.strip())
    try:
        return Version(head)
    except InvalidVersion:
        return None


def notes_between(changelog: str, current: str, target: str) -> list[tuple[str, str]]:
    """CHANGELOG sections after `current` up to `target`; 'Unreleased' when target is past a tag."""
    if current == target:
        return []
    low, high = parse_version(current), parse_version(target)
    past_tag = high is None or re.search(r"-\d+-g[0-9a-f]+$", target) is not None
    headings = list(HEADING.finditer(changelog))
    found = []
    for index, heading in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(changelog)
        title = heading.group("title")
        body = changelog[heading.end() : end].strip()
        version = parse_version(title)
        if version is None:
            if title.lower() == "unreleased" and past_tag:
                found.append((title, body))
            continue
        if (low is None or version > low) and (high is None or version <= high):
            found.append((title, body))
    return found


@contextmanager
def plan(project: Project, vcs_ref: str | None, data: Mapping[str, Any]) -> Iterator[Plan]:
    """The update's versions and notes, with answers checked against the target's questions.

    Raises:
        AnswerError: `data` names a question the target does not have, or a bad value.
        SourceError: the ref does not exist in the template source.
    """
    with fetch(Source(project.source, vcs_ref)) as revision:
        target = git("describe", "--tags", "--always", revision.ref, cwd=revision.root).strip()
        questionnaire = questions.load(revision.root)
        questionnaire.check_keys(data)
        known = {q.name for q in questionnaire.asked}
        merged = {**project.answers, **data}
        questionnaire.resolve({k: v for k, v in merged.items() if k in known})
        changelog = revision.root / "CHANGELOG.md"
        text = changelog.read_text(encoding="utf-8") if changelog.is_file() else ""
        notes = notes_between(text, project.commit, target)
        yield Plan(project, project.commit, target, notes, questionnaire)


@dataclass(frozen=True)
class Outcome:
    conflicts: list[str]  # files left with conflict markers, and .rej files
    kept: list[str]  # files the template removed but the owner had changed: restored


def apply(project: Project, vcs_ref: str | None, data: Mapping[str, Any]) -> Outcome:
    """Run copier's update in place with inline conflict markers; report what needs the owner.

    Copier deletes every file the new version no longer ships, even one the owner edited; such
    files are restored from the owner's last commit and listed in `kept`. Never commits: the
    owner reviews `git diff` and commits.
    """
    with tempfile.TemporaryDirectory(prefix="asyncio-service-baseline-") as tmp:
        baseline = Path(tmp) / "baseline"
        copier.run_copy(
            project.source,
            str(baseline),
            data={k: v for k, v in project.answers.items() if not k.startswith("_")},
            vcs_ref=project.commit,
            defaults=True,
            quiet=True,
            unsafe=False,
        )
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
        kept = restore_changed_removals(project.path, baseline)
    return Outcome(unfinished_merges(project.path), kept)


def restore_changed_removals(path: Path, baseline: Path) -> list[str]:
    """Bring back deleted files whose committed content is not what the template generated."""
    kept = []
    for line in git("status", "--porcelain", cwd=path).splitlines():
        if line[:2] != " D":
            continue
        name = line[3:].strip('"')
        original = baseline / name
        committed = git("show", f"HEAD:{name}", cwd=path)
        if not original.is_file() or original.read_text(encoding="utf-8") != committed:
            git("checkout", "HEAD", "--", name, cwd=path)
            kept.append(name)
    return kept


def unfinished_merges(path: Path) -> list[str]:
    """Changed or new files that hold conflict markers, and `.rej` files, in a git work tree."""
    changed = git("status", "--porcelain", "--untracked-files=all", cwd=path).splitlines()
    found = []
    for line in changed:
        name = line[3:].split(" -> ")[-1].strip('"')
        file = path / name
        if name.endswith(".rej"):
            found.append(f"{name} (rejected hunk)")
        elif file.is_file():
            try:
                text = file.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            if MARKER.search(text):
                found.append(f"{name} (conflict markers)")
    return found


class Conflicts(RuntimeError):
    """The update left conflicts; the files are listed, nothing was committed."""


@dataclass(frozen=True)
class UpdateOptions:
    project: Path = Path()
    data: Sequence[str] = ()
    vcs_ref: str | None = None
    yes: bool = False
    verify: bool = False


def run(options: UpdateOptions, asker: Asker | None) -> None:
    """`asyncio-service update`: preflight, show what changes, confirm, update, report.

    Raises:
        UpdateError, AnswerError, SourceError: bad input; nothing was touched.
        Conflicts: the merge left conflict markers or .rej files (listed on stdout).
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
    if outcome.conflicts:
        print("Files with conflicts (resolve the markers, then commit):")
        print("\n".join(f"  {name}" for name in outcome.conflicts))
        count = len(outcome.conflicts)
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
    lines = [
        f"Project {update_plan.project.path.absolute()}",
        f"  template {update_plan.project.source}",
        f"  version  {update_plan.current} -> {update_plan.target}",
    ]
    for title, body in update_plan.notes:
        lines += ["", f"## {title}", body]
    return "\n".join(lines)
