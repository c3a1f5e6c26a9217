"""Where the template comes from: a git URL or a git checkout, and the revision to render.

The answers file records this source, and `copier update` later fetches new versions from it,
so a source must be git: a plain copy of the template would leave a project that can never be
updated. The questions are read from the very revision copier renders (copier picks the latest
release tag unless told a ref), so the wizard never validates against one version and renders
another.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from packaging.version import InvalidVersion, Version

from generator.questions import template_root

PUBLIC_SOURCE = "https://github.com/copier-asyncio-service/copier-asyncio-service.git"

_REMOTE = re.compile(r"^([a-z][a-z0-9+.-]*://|git@|gh:|gl:)", re.IGNORECASE)
_SHORTCUTS = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}


class SourceError(ValueError):
    """A template source or ref that copier could not render or update from; names the fix."""


@dataclass(frozen=True)
class Source:
    url: str
    """What the answers file records as `_src_path`: a git URL or an absolute checkout path."""
    ref: str | None = None
    """A tag, branch or commit; None means the latest release tag, as copier chooses."""

    @property
    def local(self) -> bool:
        return not _REMOTE.match(self.url)


@dataclass(frozen=True)
class Revision:
    source: Source
    ref: str
    """The ref copier is told to render: the given one, the latest release tag, or HEAD."""
    root: Path
    """A tree of that revision, to read copier.yml from."""
    repo: Path | None = None
    """The git repository holding that revision, when `root` is not one."""

    @property
    def git_dir(self) -> Path:
        """Where to run git commands about this revision."""
        return self.repo or self.root


def default_source(root: Path | None = None) -> Source:
    """The checkout the wizard runs from when it is one, else the checkout it was installed
    from (`uvx --from ./clone`, `pipx run --spec ./clone`), else the public repository."""
    root = root or template_root()
    if (root / ".git").exists():
        return Source(str(root))
    installed_from = _installed_from()
    if installed_from is not None and (installed_from / ".git").exists():
        return Source(str(installed_from))
    return Source(PUBLIC_SOURCE)


def _installed_from() -> Path | None:
    """The local folder this distribution was built from, as its installer recorded it
    (PEP 610's direct_url.json), or None."""
    from importlib import metadata  # noqa: PLC0415

    try:
        recorded = metadata.distribution("copier-asyncio-service").read_text("direct_url.json")
        origin = json.loads(recorded or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        return None
    url = str(origin.get("url", ""))
    # An editable install runs from the checkout itself, which template_root() finds.
    built = "dir_info" in origin and not origin["dir_info"].get("editable")
    if not built or not url.startswith("file://"):
        return None
    return Path(unquote(urlparse(url).path))


def source(template: str | None, vcs_ref: str | None) -> Source:
    """Check --template and --vcs-ref; raise SourceError naming the fix."""
    if vcs_ref is not None and (not vcs_ref.strip() or vcs_ref.startswith("-")):
        raise SourceError(f"--vcs-ref {vcs_ref!r} is not a git tag, branch or commit; give one")
    if template is None:
        return Source(default_source().url, vcs_ref)
    if _REMOTE.match(template):
        return Source(template, vcs_ref)
    path = Path(template).expanduser().absolute()
    if not path.exists():
        raise SourceError(
            f"template {template!r} does not exist; pass a git URL or the path of a git checkout"
        )
    if not _is_checkout_root(path):
        raise SourceError(
            f"template {template!r} is not the root of a git checkout, so `copier update` could"
            " not find new versions there later; pass its git URL or a git clone with its tags"
        )
    return Source(str(path), vcs_ref)


@contextmanager
def fetch(src: Source, only: Sequence[str] = ()) -> Iterator[Revision]:
    """Yield the revision copier will render, checked out in a temporary folder if needed.

    With `only`, a local source's revision holds just those top-level paths, read with
    `git archive` from the source itself instead of a clone: what an update needs to plan.
    """
    if src.local:
        ref = src.ref or latest_release(_tags(src.url)) or "HEAD"
        if ref == "HEAD":
            # copier renders a local checkout's HEAD from its working tree, edits included.
            yield Revision(src, ref, Path(src.url))
            return
        if only:
            with _archive(src, ref, only) as revision:
                yield revision
            return
    with tempfile.TemporaryDirectory(prefix="asyncio-service-template-") as tmp:
        clone = Path(tmp)
        _git("clone", "--quiet", "--no-checkout", "--", _expand(src.url), str(clone), src=src)
        ref = src.ref or latest_release(_tags(str(clone))) or "HEAD"
        commit = _commit_of(clone, ref)
        if commit is None:
            raise SourceError(
                f"--vcs-ref {ref!r} is not a tag, branch or commit of {src.url!r}; "
                f"list them with `git ls-remote {src.url}`"
            )
        _git("-C", str(clone), "checkout", "--quiet", "--force", commit, src=src)
        yield Revision(src, ref, clone)


@contextmanager
def _archive(src: Source, ref: str, only: Sequence[str]) -> Iterator[Revision]:
    repo = Path(src.url)
    commit = _commit_of(repo, ref)
    if commit is None:
        raise SourceError(
            f"--vcs-ref {ref!r} is not a tag, branch or commit of {src.url!r}; "
            f"list them with `git -C {src.url} tag`"
        )
    listed = subprocess.run(
        ["git", "-C", src.url, "ls-tree", "--name-only", commit],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    with tempfile.TemporaryDirectory(prefix="asyncio-service-template-") as tmp:
        archive = subprocess.run(
            ["git", "-C", src.url, "archive", commit, "--", *(p for p in only if p in listed)],
            capture_output=True,
            check=False,
        )
        unpacked = subprocess.run(
            ["tar", "-x", "-C", tmp], input=archive.stdout, capture_output=True, check=False
        )
        if archive.returncode != 0 or unpacked.returncode != 0:
            raise SourceError(f"cannot read {ref!r} of template {src.url!r}; check the checkout")
        yield Revision(src, ref, Path(tmp), repo)


def _is_checkout_root(path: Path) -> bool:
    if not path.is_dir():
        return False
    found = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.returncode == 0 and Path(found.stdout.strip()).resolve() == path.resolve()


def _tags(repo: str) -> list[str]:
    found = subprocess.run(
        ["git", "-C", repo, "tag", "--list"], capture_output=True, text=True, check=False
    )
    return found.stdout.split()


def latest_release(tags: list[str]) -> str | None:
    """The highest PEP 440 release among `tags`: the same choice copier makes."""
    releases: list[tuple[Version, str]] = []
    for tag in tags:
        try:
            version = Version(tag)
        except InvalidVersion:
            continue
        if not version.is_prerelease:
            releases.append((version, tag))
    return max(releases)[1] if releases else None


def _commit_of(clone: Path, ref: str) -> str | None:
    for candidate in (ref, f"origin/{ref}"):
        found = subprocess.run(
            [
                "git",
                "-C",
                str(clone),
                "rev-parse",
                "--verify",
                "--quiet",
                f"{candidate}^{{commit}}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if found.returncode == 0:
            return found.stdout.strip()
    return None


def _expand(url: str) -> str:
    for shortcut, prefix in _SHORTCUTS.items():
        if url.startswith(shortcut):
            rest = url.removeprefix(shortcut).strip("/")
            return prefix + (rest if rest.endswith(".git") else f"{rest}.git")
    return url


def _git(*args: str, src: Source) -> None:
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"git exited with {done.returncode}"]
        raise SourceError(
            f"cannot read template {src.url!r}: {lines[-1]}; check the URL, the ref and the network"
        )
