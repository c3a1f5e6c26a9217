"""Released template versions and their commits, read from `releases.toml`.

Git tags are how copier finds versions, but tags do not travel with every clone (a fork, a
mirror, a checkout made without `--tags`), so the record of what was released is data committed
in the repository. A release's own commit cannot name itself, so a version is added here by the
commit after it lands; CHANGELOG.md's sections hold the notes.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

RELEASES_FILE = "releases.toml"
HEADING = re.compile(r"^## +(?P<title>\S+)", re.MULTILINE)


class ReleasesError(ValueError):
    """releases.toml is unreadable or names a bad version or commit; the message says which."""


@dataclass(frozen=True, order=True)
class Release:
    version: Version
    commit: str

    @property
    def tag(self) -> str:
        return f"v{self.version}"


def load(root: Path) -> list[Release]:
    """The releases recorded under `root`, oldest first; none when the file is absent.

    Raises:
        ReleasesError: the file is not TOML, or a version or commit is malformed.
    """
    path = root / RELEASES_FILE
    if not path.is_file():
        return []
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("releases", {})
    except tomllib.TOMLDecodeError as error:
        raise ReleasesError(f"{path} is not valid TOML ({error}); fix it") from None
    found = []
    for name, commit in table.items():
        try:
            version = Version(name)
        except InvalidVersion:
            raise ReleasesError(
                f'{path}: {name!r} is not a version; write it as e.g. "0.2.0"'
            ) from None
        if not isinstance(commit, str) or len(commit) != 40 or not _is_hex(commit):
            raise ReleasesError(f"{path}: release {name} has commit {commit!r}; give its full sha")
        found.append(Release(version, commit))
    return sorted(found)


def describe(repo: Path, ref: str, releases: list[Release]) -> str | None:
    """`ref` named like `git describe --tags` would with every release tagged, or None.

    'v0.1.0' for a release's own commit, 'v0.1.0-3-gabc1234' for a commit after it; None when
    `ref` is not a commit of `repo` or no release is among its ancestors.
    """
    commit = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit is None:
        return None
    for release in reversed(releases):
        if release.commit == commit:
            return release.tag
        if _git(repo, "merge-base", "--is-ancestor", release.commit, commit) is not None:
            count = _git(repo, "rev-list", "--count", f"{release.commit}..{commit}")
            return f"{release.tag}-{count}-g{commit[:7]}"
    return None


def parse_version(text: str) -> Version | None:
    """The release a tag or `git describe` output names, e.g. 'v1.2.0-3-gabc' → 1.2.0."""
    head = re.sub(r"-\d+-g[0-9a-f]+$", "", text.strip())
    try:
        return Version(head)
    except InvalidVersion:
        return None


def notes_between(changelog: str, current: str, target: str) -> list[tuple[str, str]]:
    """CHANGELOG sections after `current` up to `target`; all of them, and 'Unreleased', when
    `target` is past its newest release."""
    if current == target:
        return []
    low, high = parse_version(current), parse_version(target)
    past_tag = high is None or re.search(r"-\d+-g[0-9a-f]+$", target) is not None
    if past_tag:
        # Past its newest release, the target's CHANGELOG may already hold the next version,
        # whose commit is recorded only after it lands: every section after `current` counts.
        high = None
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


def _git(repo: Path, *args: str) -> str | None:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else None


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)
