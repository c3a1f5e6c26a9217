"""This repository's own GitHub workflow: what it runs, on which Pythons, pinned to commits.

The schema and zizmor checks run in .ci/run (they need tools outside the dev environment).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from generator import questions

from .project import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def test_every_action_is_pinned_to_a_commit_with_its_release_named() -> None:
    uses = re.findall(r"uses: (\S+)(.*)", WORKFLOW.read_text(encoding="utf-8"))
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+(\.\d+)*", comment), f"{action}: name the release"


def test_jobs_run_on_every_python_a_project_may_claim() -> None:
    versions = questions.load()["python_min"].values()
    for job in load(WORKFLOW)["jobs"].values():
        assert job["strategy"]["matrix"]["python"] == versions


def test_the_shards_together_are_the_whole_matrix() -> None:
    job = load(WORKFLOW)["jobs"]["every-combination"]
    shards = job["strategy"]["matrix"]["shard"]
    run = job["steps"][-1]
    assert run["env"]["MATRIX"] == "full"
    assert run["env"]["SHARD"] == f"${{{{ matrix.shard }}}}/{len(shards)}"
    assert shards == list(range(1, len(shards) + 1))


def test_both_jobs_start_the_servers_the_tests_need() -> None:
    for job in load(WORKFLOW)["jobs"].values():
        services = job["services"]
        assert services["postgres"]["ports"] == ["5432:5432"]
        assert services["postgres"]["env"]["POSTGRES_DB"] == "test"
        assert services["redis"]["ports"] == ["6379:6379"]
        assert services["rabbitmq"]["ports"] == ["5672:5672"]
        # NATS needs -js, which a service container cannot pass: a step starts it.
        runs = [str(step.get("run", "")) for step in job["steps"]]
        assert any(re.search(r"docker run -d .*-p 4222:4222 .*nats:2 -js\b", run) for run in runs)
