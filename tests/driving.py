"""Driving the wizard in tests: a scripted user, an in-process CLI runner, a tree reader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import cli
from generator.prompts import Prompt

STOP = object()
"""A reply that presses Ctrl-C at that prompt."""


class ScriptedAsker:
    """A user who answers prompts by name and presses Enter (the default) for the rest.

    A list of replies answers the same prompt again after a refusal. Choosing an option the
    prompt shows as unavailable fails the test, as a terminal would not let it happen.
    """

    def __init__(self, replies: Mapping[str, Any] | None = None) -> None:
        self.replies = {
            name: list(reply) if isinstance(reply, list) else [reply]
            for name, reply in (replies or {}).items()
        }
        self.prompts: list[Prompt] = []

    @property
    def asked(self) -> list[str]:
        return [prompt.name for prompt in self.prompts]

    def ask(self, prompt: Prompt) -> Any:
        self.prompts.append(prompt)
        queue = self.replies.get(prompt.name)
        reply = queue.pop(0) if queue else prompt.default
        if reply is STOP:
            raise KeyboardInterrupt
        if prompt.kind == "select":
            allowed = [o.value for o in prompt.options if not o.unavailable]
            assert reply in allowed, f"{prompt.name}: {reply!r} is not selectable in {allowed}"
        return reply


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def run(capsys: pytest.CaptureFixture[str], *argv: str, asker: Any = None) -> Result:
    """Run `asyncio-service ARGV` in this process."""
    capsys.readouterr()
    code = cli.main(list(argv), asker=asker)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def new(
    capsys: pytest.CaptureFixture[str], dest: Path, template: Path, *flags: str, asker: Any = None
) -> Result:
    """Run `asyncio-service new DEST --template TEMPLATE FLAGS` in this process."""
    return run(capsys, "new", str(dest), "--template", str(template), *flags, asker=asker)


def recorded(project: Path) -> dict[str, Any]:
    """The answers file copier wrote into `project`."""
    data = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def tree(root: Path) -> dict[str, bytes]:
    """Every file below `root` by relative path, leaving out `.git`."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def files_to_create(screen: str) -> list[str]:
    """The paths under the summary's "Files to create (N):" heading; checks N against them."""
    head, _, rest = screen.partition("Files to create (")
    assert head, "no file list on screen"
    count, _, listing = rest.partition("):\n")
    paths = [line.strip() for line in listing.splitlines() if line.startswith("  ")]
    assert len(paths) == int(count)
    return paths
