"""Every code variant, rendered as a user would and put through its own checks.

The variants come from copier.yml (`_code_axes` and the questions' choices), never from a list
kept here. Each runs `uv sync`, `ruff format --check`, `ruff check`, `mypy --strict` and its own
`pytest -W error`; with `pytest -n 2` they run two at a time and share one uv cache.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path
from typing import Any

import pytest

from generator import questions

from .project import render, run_checks

QUESTIONNAIRE = questions.load()
CODE_VARIANTS = QUESTIONNAIRE.variants("code")


def variant_id(answers: dict[str, Any]) -> str:
    # An axis whose `when:` is false for these answers is not asked, so not in them.
    axes = [axis for axis in QUESTIONNAIRE.code_axes if axis in answers]
    return ",".join(f"{axis}={answers[axis]}" for axis in axes)


@pytest.mark.variant
@pytest.mark.parametrize("answers", CODE_VARIANTS, ids=[variant_id(v) for v in CODE_VARIANTS])
def test_code_variant_passes_its_own_checks(
    answers: dict[str, Any], template_source: Path, tmp_path: Path
) -> None:
    project = render(template_source, tmp_path / "project", answers)
    results = run_checks(project)
    failed = [r for r in results if r.code != 0]
    assert not failed, f"{failed[0].command} failed:\n{failed[0].output[-4000:]}"
    assert re.search(r"\d+ passed", results[-1].output)
    assert_no_empty_module(project)
    assert_every_setting_is_used(project, answers["package_name"])


def assert_no_empty_module(project: Path) -> None:
    for path in project.rglob("*.py"):
        if ".venv" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        body = [n for n in tree.body if not isinstance(n, ast.Expr | ast.ImportFrom | ast.Import)]
        if path.name == "__init__.py":
            continue
        assert body, f"{path.relative_to(project)} has no code"


def assert_every_setting_is_used(project: Path, package: str) -> None:
    """A setting no code reads is dead configuration: the variant must not ship it."""
    source = project / "src" / package
    settings = (source / "settings.py").read_text(encoding="utf-8")
    names = re.findall(r"^    (\w+): .* = setting\(", settings, flags=re.MULTILINE)
    assert names, "no settings found"
    code = "\n".join(
        p.read_text(encoding="utf-8") for p in source.rglob("*.py") if p.name != "settings.py"
    )
    unused = [n for n in names if not re.search(rf"\.{n}\b", code)]
    assert unused == [], f"settings nothing reads: {unused}"


def test_code_variants_are_every_combination_of_the_code_axes() -> None:
    axes = QUESTIONNAIRE.code_axes
    assert axes, "copier.yml names no _code_axes"
    combos = {tuple(v.get(a) for a in axes) for v in CODE_VARIANTS}
    assert len(combos) == len(CODE_VARIANTS)
    # Every combination is there, less those a `when:` makes the same (an axis left unasked).
    for values in itertools.product(*(QUESTIONNAIRE[axis].values() for axis in axes)):
        answers = QUESTIONNAIRE.resolve(
            {"project_name": "Any", **dict(zip(axes, values, strict=True))}
        )
        assert tuple(answers.get(a) for a in axes) in combos, values


def fake_project(tmp_path: Path, settings: str, code: str) -> Path:
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "settings.py").write_text(settings, encoding="utf-8")
    (package / "app.py").write_text(code, encoding="utf-8")
    return tmp_path


def test_unused_setting_guard_catches_a_setting_nothing_reads(tmp_path: Path) -> None:
    settings = "class S:\n    used: int = setting(1, 'x')\n    spare: int = setting(2, 'y')\n"
    project = fake_project(tmp_path, settings, "def f(s):\n    return s.used\n")
    with pytest.raises(AssertionError, match=r"\['spare'\]"):
        assert_every_setting_is_used(project, "pkg")


def test_empty_module_guard_catches_a_module_with_only_imports(tmp_path: Path) -> None:
    project = fake_project(tmp_path, "X = 1\n", "import os\n")
    with pytest.raises(AssertionError, match=r"app\.py has no code"):
        assert_no_empty_module(project)
