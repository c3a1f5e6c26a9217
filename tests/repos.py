"""Template repositories for the tests: git sources made from this worktree's files."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.project import snapshot_template


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def commit_all(repo: Path, message: str, tag: str | None = None) -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", message)
    if tag:
        git(repo, "tag", tag)


def make_template_repo(dest: Path, tag: str = "v0.1.0") -> Path:
    """A git repository of this worktree's template files, committed and tagged, so the
    tests do not depend on uncommitted state."""
    snapshot_template(dest)
    git(dest, "init", "--quiet")
    commit_all(dest, "The template", tag)
    return dest


# A question and a preset no template version has, for tests of what is missing or added.
RPC_QUESTION = """
rpc:
  type: str
  help: The RPC framework
  choices: [none, grpc]
  default: none
"""
RPC_PRESET = "rpc-service"


def add_rpc_preset(root: Path) -> None:
    """Add the `rpc-service` preset (rpc=grpc) to the copier.yml under `root`."""
    config = root / "copier.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("_presets:\n", f"_presets:\n  {RPC_PRESET}:\n    rpc: grpc\n", 1),
        encoding="utf-8",
    )
