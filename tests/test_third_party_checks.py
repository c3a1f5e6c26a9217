"""Other people's linters on the generated files, over the covering set of code variants.

Each covering variant is rendered once, with the GitHub workflow and the Docker files, and
each checker runs once over all of them: zizmor (workflow security, offline), check-jsonschema
(the workflow, Dependabot and compose schemas it vendors), hadolint (Dockerfile),
kubernetes-validate (the Deployment) and deptry (every imported distribution declared, none
declared in vain). `.env.example` is compared with the Settings class of each render too.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from generator import questions

from .project import clean_env, render
from .test_template import settings_defaults

BIN = Path(sys.executable).parent
QUESTIONNAIRE = questions.load()


@pytest.fixture(scope="module")
def covering(template_source: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("covering")
    return [
        render(template_source, root / f"v{number}", {**answers, "docker": True, "ci": "github"})
        for number, answers in enumerate(QUESTIONNAIRE.covering())
    ]


def check(argv: Sequence[str | Path], cwd: Path | None = None) -> str:
    """Run a checker; its output if it failed, else an empty string."""
    done = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return (
        "" if done.returncode == 0 else f"$ {' '.join(map(str, argv))}\n{done.stdout}{done.stderr}"
    )


def test_third_party_checkers_are_clean_on_every_covering_variant(covering: list[Path]) -> None:
    def each(name: str) -> list[Path]:
        return [project / name for project in covering]

    failures = [
        check([BIN / "zizmor", "--offline", "--no-progress", *covering]),
        check(
            [
                *(BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows"),
                *each(".github/workflows/ci.yml"),
            ]
        ),
        check(
            [
                *(BIN / "check-jsonschema", "--builtin-schema", "vendor.dependabot"),
                *each(".github/dependabot.yml"),
            ]
        ),
        check(
            [
                *(BIN / "check-jsonschema", "--builtin-schema", "vendor.compose-spec"),
                *each("compose.yaml"),
            ]
        ),
        check([BIN / "hadolint", *each("Dockerfile")]),
        check([BIN / "kubernetes-validate", "--strict", *each("deploy/kubernetes.yaml")]),
        *(check([BIN / "deptry", "."], cwd=project) for project in covering),
    ]
    failed = [failure for failure in failures if failure]
    assert not failed, "\n".join(failed)


def test_env_example_lists_every_setting_with_its_default(covering: list[Path]) -> None:
    # The order, and defaults written as constants, are checked by the generated
    # tests/test_env_example.py against the Settings class itself.
    for project in covering:
        package = next((project / "src").iterdir()).name
        prefix = package.upper() + "_"
        defaults = settings_defaults(project, package)
        lines = (project / ".env.example").read_text(encoding="utf-8").splitlines()
        listed = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
        assert sorted(listed) == sorted(prefix + name.upper() for name in defaults), project
        for name, default in defaults.items():
            if default is None:
                continue  # a named constant, not a literal
            value = listed[prefix + name.upper()]
            shown = str(default).lower() if isinstance(default, bool) else str(default)
            assert value == shown, (project, name)


def test_the_workflow_reads_only_and_pins_each_action_to_a_commit(covering: list[Path]) -> None:
    text = (covering[0] / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {"contents": "read"}
    steps = workflow["jobs"]["check"]["steps"]
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False
    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), (action, comment)


def test_dependabot_updates_the_actions_and_the_python_packages(covering: list[Path]) -> None:
    config = yaml.safe_load((covering[0] / ".github" / "dependabot.yml").read_text())
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    assert {"github-actions", "uv", "docker"} <= ecosystems


def test_this_repository_declares_every_distribution_it_imports() -> None:
    # The wizard runs with its runtime packages only (`uv run --no-dev`, uvx, pipx): an
    # import that only a development tool brought in would fail there.
    failure = check([BIN / "deptry", "."], cwd=Path(__file__).resolve().parent.parent)
    assert not failure, failure
