"""Every code variant, rendered as a user would and checked.

The variants come from copier.yml (`_code_axes` and the questions' choices), never from a list
kept here. Full checks (`uv sync`, `ruff format --check`, `ruff check`, `mypy --strict` and the
variant's own `pytest -W error`) cost 10-30 s a variant, and the combinations multiply with each
axis, so they run on the covering set: every value of every axis and every pair of values of
two axes appears in at least one fully checked variant. Every other combination is rendered and
gets the static checks: ruff format and lint, no empty module, no unused setting, and every
module imported in one environment that holds every variant's dependencies. `MATRIX=full` runs
the full checks on every combination instead; with `SHARD=i/n` as well, only the i-th of n
shards of them (every n-th combination from the i-th), so n machines share the matrix.
"""

from __future__ import annotations

import ast
import itertools
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator import questions

from .project import Importer, clean_env, render, run_checks, run_static_checks

QUESTIONNAIRE = questions.load()
CODE_VARIANTS = QUESTIONNAIRE.variants("code")
FULL_MATRIX = os.environ.get("MATRIX") == "full"


def shard(variants: list[dict[str, Any]], spec: str) -> list[dict[str, Any]]:
    """The `i/n` share of `variants`: every n-th from the i-th (1-based), or all for ''."""
    if not spec:
        return variants
    found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec)
    if not found or not 1 <= int(found[1]) <= int(found[2]):
        raise pytest.UsageError(f"SHARD={spec!r} is not i/n with 1 <= i <= n; write e.g. SHARD=2/4")
    index, count = int(found[1]), int(found[2])
    return variants[index - 1 :: count]


COVERING = (
    shard(CODE_VARIANTS, os.environ.get("SHARD", "")) if FULL_MATRIX else QUESTIONNAIRE.covering()
)
STATIC_ONLY = [] if FULL_MATRIX else [v for v in CODE_VARIANTS if v not in COVERING]


def variant_id(answers: dict[str, Any]) -> str:
    # An axis whose `when:` is false for these answers is not asked, so not in them.
    axes = [axis for axis in QUESTIONNAIRE.code_axes if axis in answers]
    return ",".join(f"{axis}={answers[axis]}" for axis in axes)


@pytest.mark.variant
@pytest.mark.parametrize("answers", COVERING, ids=[variant_id(v) for v in COVERING])
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


@pytest.mark.variant
def test_api_preset_passes_its_own_checks(template_source: Path, tmp_path: Path) -> None:
    # The preset answers a value (no example jobs by default) no code axis varies.
    answers = {"project_name": "Api Service", **QUESTIONNAIRE.preset("api").data}
    project = render(template_source, tmp_path / "project", answers)
    assert "example_rate: float = setting(\n        0.0," in (
        project / "src" / "api_service" / "example.py"
    ).read_text(encoding="utf-8")
    failed = [r for r in run_checks(project) if r.code != 0]
    assert not failed, f"{failed[0].command} failed:\n{failed[0].output[-4000:]}"


@pytest.mark.variant
@pytest.mark.parametrize("answers", STATIC_ONLY, ids=[variant_id(v) for v in STATIC_ONLY])
def test_code_variant_is_formatted_lint_clean_and_imports(
    answers: dict[str, Any], template_source: Path, tmp_path: Path, importer: Importer
) -> None:
    project = render(template_source, tmp_path / "project", answers)
    failed = [
        r for r in run_static_checks(project, importer, answers["package_name"]) if r.code != 0
    ]
    assert not failed, f"{failed[0].command[:60]} failed:\n{failed[0].output[-4000:]}"
    assert_no_empty_module(project)
    assert_every_setting_is_used(project, answers["package_name"])


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="session")
def every_dependency(template_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python with the dependencies of every variant (the covering set names them all)."""
    root = tmp_path_factory.mktemp("every-dependency")
    wanted: set[str] = set()
    for number, answers in enumerate(QUESTIONNAIRE.covering()):
        project = render(template_source, root / f"v{number}", answers)
        pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
        wanted.update(pyproject["project"]["dependencies"])
        wanted.update(pyproject["dependency-groups"]["dev"])
    venv = root / "venv"
    for argv in (
        ["uv", "venv", "--quiet", "--python", sys.executable, str(venv)],
        ["uv", "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *wanted],
    ):
        done = run(argv, root)
        assert done.returncode == 0, done.stderr
    return venv / "bin" / "python"


@pytest.fixture(scope="session")
def importer(every_dependency: Path) -> Iterator[Importer]:
    """One interpreter per test worker that imports the static-only variants one by one."""
    running = Importer(every_dependency)
    yield running
    running.close()


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
    """A setting no code reads is dead configuration: the variant must not ship it. Settings
    are declared beside the code they configure (the runtime's, the example's, each
    resource's), so every module is searched for declarations and for reads."""
    source = project / "src" / package
    texts = {p: p.read_text(encoding="utf-8") for p in source.rglob("*.py")}
    declared = re.compile(r"^    (\w+): .* = setting\(", flags=re.MULTILINE)
    names = [name for text in texts.values() for name in declared.findall(text)]
    assert names, "no settings found"
    code = "\n".join(declared.sub("", text) for text in texts.values())
    unused = [n for n in names if not re.search(rf"\.{n}\b", code)]
    assert unused == [], f"settings nothing reads: {unused}"


def test_code_variants_are_every_combination_of_the_code_axes() -> None:
    axes = QUESTIONNAIRE.code_axes
    assert axes, "copier.yml names no _code_axes"
    combos = {tuple(v.get(a) for a in axes) for v in CODE_VARIANTS}
    assert len(combos) == len(CODE_VARIANTS)
    # Every combination is there, less those a `when:` makes the same (an axis left unasked).
    for values in itertools.product(*(QUESTIONNAIRE[axis].values() for axis in axes)):
        given = {"project_name": "Any", **dict(zip(axes, values, strict=True))}
        # A value for an axis these answers do not ask (redis with redis-streams) is refused,
        # since copier would render with it: it is left out instead.
        asked = {k: v for k, v in given.items() if QUESTIONNAIRE.is_asked(QUESTIONNAIRE[k], given)}
        answers = QUESTIONNAIRE.resolve(asked)
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


def package_tree(root: Path, modules: dict[str, str]) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "tests" / "__init__.py").write_text("")
    package = root / "src" / "pkg"
    package.mkdir(parents=True)
    for name, code in {"__init__": "", **modules}.items():
        (package / f"{name}.py").write_text(code, encoding="utf-8")
    return root


def test_the_importer_reports_a_broken_import_and_forgets_it_for_the_next_variant(
    tmp_path: Path,
) -> None:
    broken = package_tree(tmp_path / "broken", {"app": "from .settings import missing\n"})
    (broken / "src" / "pkg" / "settings.py").write_text("present = 1\n")
    fixed = package_tree(tmp_path / "fixed", {"app": "from .settings import present\n"})
    (fixed / "src" / "pkg" / "settings.py").write_text("present = 1\n")
    importer = Importer(Path(sys.executable))
    try:
        failed = importer.check(broken, "pkg")
        passed = importer.check(fixed, "pkg")
    finally:
        importer.close()
    assert failed.code == 1
    assert "ImportError: cannot import name 'missing'" in failed.output
    assert (passed.code, passed.output) == (0, "ok")


def test_shards_split_the_matrix_into_parts_that_cover_it_once() -> None:
    for count in (1, 3, 4, 7):
        parts = [shard(CODE_VARIANTS, f"{index}/{count}") for index in range(1, count + 1)]
        assert sorted(len(p) for p in parts)[-1] - sorted(len(p) for p in parts)[0] <= 1
        ids = [variant_id(v) for part in parts for v in part]
        assert sorted(ids) == sorted(variant_id(v) for v in CODE_VARIANTS)


@pytest.mark.parametrize("spec", ["0/4", "5/4", "two/4", "1-4"])
def test_a_bad_shard_is_refused_naming_it_and_the_fix(spec: str) -> None:
    with pytest.raises(pytest.UsageError, match=rf"SHARD={re.escape(repr(spec))} is not i/n"):
        shard(CODE_VARIANTS, spec)
