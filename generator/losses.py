"""What a `copier update` would lose in silence, found after it ran and reported to the owner.

Copier's update merges text files; everything else it settles without a word:
- a file the template removed is deleted even when the owner had changed it;
- a template change to a file the owner renamed or deleted is dropped;
- a binary file changed on both sides ends up as the template's version;
- a conflict is left as markers with exit 0, in whatever encoding the file has.

Each check compares three trees: the old render (the project's recorded version and answers),
the new render (the target version), and the owner's last commit. Copier makes both renders
inside its update and deletes them; `copier_renders` keeps hard-linked copies while it runs.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# A whole marker set, start to end, in any encoding that keeps ASCII as bytes: a lone line of
# seven '=' is a reST title underline, not a conflict.
MARKERS = re.compile(
    rb"^<{7}(?:[ \t][^\n]*)?\r?\n.*?^={7}\r?\n.*?^>{7}(?:[ \t][^\n]*)?\r?$",
    re.MULTILINE | re.DOTALL,
)
BESIDE = ".template"  # the suffix of the template's version of a binary file, written beside it


@dataclass(frozen=True)
class Notice:
    """A file that needs the owner: its path, why, and the template's change to it, if any."""

    path: str
    reason: str
    change: str = ""


def git(path: Path, *args: str) -> str:
    return git_bytes(path, *args).decode("utf-8", "surrogateescape")


def git_bytes(path: Path, *args: str) -> bytes:
    """The output of `git *args` in `path`, as bytes."""
    done = subprocess.run(["git", *args], cwd=path, capture_output=True, check=True, timeout=120)
    return done.stdout


@contextmanager
def copier_renders(scratch: Path) -> Iterator[dict[str, Path]]:
    """Keep the old and the new render that `copier.run_update` makes, as {'old', 'new'}.

    Copier renders into folders named `copier._main.old_copy.*` and `...new_copy.*`; each is
    hard-linked into `scratch` as soon as it is rendered, before copier trims or deletes it.
    With a copier that renders otherwise nothing is kept, and the caller renders them itself.
    """
    kept: dict[str, Path] = {}
    try:
        from copier._main import Worker  # noqa: PLC0415 (private: absent, nothing is kept)
    except ImportError:
        yield kept
        return
    original = Worker.run_copy

    def run_copy(self: Worker) -> None:
        original(self)
        destination = Path(self.dst_path)
        for role in ("old", "new"):
            if any(f".{role}_copy." in part for part in destination.parts):
                kept[role] = scratch / role
                shutil.copytree(destination, kept[role], copy_function=_link, symlinks=True)

    Worker.run_copy = run_copy  # type: ignore[method-assign]
    try:
        yield kept
    finally:
        Worker.run_copy = original  # type: ignore[method-assign]


def _link(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def unfinished_merges(path: Path) -> list[str]:
    """Changed or new files with a conflict marker set or unmerged in the index; `.rej` files."""
    unmerged = set(git(path, "diff", "--name-only", "--diff-filter=U", "-z").split("\0"))
    changed = git(path, "status", "--porcelain", "-z", "--untracked-files=all").split("\0")
    found = []
    for name in sorted({line[3:] for line in changed if len(line) > 3} | unmerged - {""}):
        file = path / name
        if name.endswith(".rej"):
            found.append(f"{name} (rejected hunk)")
        elif name in unmerged or (file.is_file() and MARKERS.search(file.read_bytes())):
            found.append(f"{name} (conflict markers)")
    return found


def restore_changed_removals(path: Path, old: Path) -> list[str]:
    """Bring back files the template removed whose committed content is not the old render's."""
    kept = []
    for line in git(path, "status", "--porcelain", "-z").split("\0"):
        if line[:2] != " D":
            continue
        name = line[3:]
        original = old / name
        committed = git_bytes(path, "show", f"HEAD:{name}")
        if not original.is_file() or original.read_bytes() != committed:
            git(path, "checkout", "HEAD", "--", name)
            kept.append(name)
    return kept


def binary_on_both_sides(path: Path, old: Path, new: Path) -> list[Notice]:
    """Binary files both sides changed: keep the owner's, write the template's beside it."""
    found = []
    for name in _tracked(path):
        before, after = old / name, new / name
        if not (before.is_file() and after.is_file()):
            continue
        base, theirs = before.read_bytes(), after.read_bytes()
        if not (_binary(base) or _binary(theirs)):
            continue
        ours = git_bytes(path, "show", f"HEAD:{name}")
        if ours in (base, theirs) or theirs == base:
            if ours != base and (path / name).read_bytes() != ours:
                git(path, "checkout", "HEAD", "--", name)  # only the owner changed it
            continue
        git(path, "checkout", "HEAD", "--", name)
        shutil.copy2(after, path / f"{name}{BESIDE}")
        found.append(
            Notice(
                name,
                f"binary, changed by you and by the template: yours is kept, the template's is "
                f"beside it as {name}{BESIDE}",
            )
        )
    return found


def renamed_or_deleted(path: Path, old: Path, new: Path) -> list[Notice]:
    """Template changes to files the owner renamed or deleted, which copier drops."""
    committed = set(_tracked(path))
    gone = [name for name in files(old) if name not in committed]
    changed = [name for name in gone if (new / name).is_file() and not _same(old, new, name)]
    if not changed and not [name for name in gone if not (new / name).is_file()]:
        return []
    moves = _renames(path, committed)
    found = []
    for name in gone:
        moved = moves.get(name)
        where = f"you renamed it to {moved}" if moved else "you deleted it"
        if name in changed:
            reason = f"the template changed it and {where}: apply the change below by hand"
            found.append(Notice(name, reason, _diff(old / name, new / name, name)))
        elif moved and not (new / name).is_file():
            reason = f"the template removed it and {where}: check that your copy still fits"
            found.append(Notice(name, reason))
    return found


def _renames(path: Path, committed: set[str]) -> dict[str, str]:
    """Where each path the owner renamed lives now, following renames of renames."""
    log = git(path, "log", "-M", "--diff-filter=R", "--name-status", "--format=", "--reverse")
    moves: dict[str, str] = {}
    for line in log.splitlines():
        status, _, rest = line.partition("\t")
        if status.startswith("R") and "\t" in rest:
            before, after = rest.split("\t", 1)
            for origin, now in list(moves.items()):
                if now == before:
                    moves[origin] = after
            moves[before] = after
    return {origin: now for origin, now in moves.items() if now in committed}


def _diff(before: Path, after: Path, name: str) -> str:
    old, new = before.read_bytes(), after.read_bytes()
    if _binary(old) or _binary(new):
        return "(a binary file)"
    lines = difflib.unified_diff(
        old.decode("utf-8", "replace").splitlines(keepends=True),
        new.decode("utf-8", "replace").splitlines(keepends=True),
        f"{name} (your version of the template)",
        f"{name} (the target version)",
    )
    return "".join(lines)


def _same(left: Path, right: Path, name: str) -> bool:
    return (left / name).read_bytes() == (right / name).read_bytes()


def files(root: Path) -> list[str]:
    """Every file below `root` as a POSIX relative path, leaving out `.git`."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    )


def _tracked(path: Path) -> list[str]:
    """The files of the owner's last commit."""
    listed = git(path, "ls-tree", "-r", "-z", "--name-only", "HEAD")
    return [name for name in listed.split("\0") if name]


def _binary(data: bytes) -> bool:
    return b"\0" in data[:8000]  # git's own test
