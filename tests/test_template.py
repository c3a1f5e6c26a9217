"""copier.yml and the files each non-code answer changes; rendering through copier's own CLI."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import questions

from .project import ROOT, clean_env, render

QUESTIONNAIRE = questions.load()
OTHER_VARIANTS = QUESTIONNAIRE.variants("other")


def copier_yml() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    return data


def test_template_needs_no_trust() -> None:
    settings = set(copier_yml())
    assert not settings & {"_tasks", "_migrations", "_jinja_extensions"}


def test_every_question_has_a_type_and_help() -> None:
    for question in QUESTIONNAIRE.asked:
        spec = copier_yml()[question.name]
        assert spec.get("type"), question.name
        assert spec.get("help"), question.name


def test_stdlib_names_in_the_validator_cover_this_python() -> None:
    needed = {name for name in sys.stdlib_module_names if not name.startswith("_")}
    for name in sorted(needed):
        error = QUESTIONNAIRE.render(
            '{% from "includes/names.jinja" import package_name_error %}'
            "{{ package_name_error(name) }}",
            {"name": name.lower()},
        )
        if name.islower():
            assert "standard-library module" in error, name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "package name is empty; give one, e.g. 'acme_worker'"),
        ("3d_svc", "package name '3d_svc' is not a lowercase Python identifier"),
        ("Acme-Worker", "e.g. 'acme_worker'"),
        ("class", "package name 'class' is a Python keyword; pick another, e.g. 'class_service'"),
        ("asyncio", "package name 'asyncio' is a standard-library module; pick another"),
        ("uvloop", "package name 'uvloop' is a package the service may depend on"),
        ("yarl", "package name 'yarl' is a package the service may depend on"),
    ],
)
def test_a_bad_package_name_is_refused_naming_the_value_and_the_fix(
    name: str, message: str
) -> None:
    with pytest.raises(questions.AnswerError) as caught:
        QUESTIONNAIRE.resolve({"project_name": "Acme Worker", "package_name": name})
    assert message in str(caught.value)


def test_package_name_defaults_from_the_project_name() -> None:
    answers = QUESTIONNAIRE.resolve({"project_name": "Acme Worker 2"})
    assert answers["package_name"] == "acme_worker_2"


def test_an_answer_key_that_is_not_a_question_is_refused(tmp_path: Path) -> None:
    with pytest.raises(questions.AnswerError, match="'web_server' is not a question"):
        render(ROOT, tmp_path / "out", {"project_name": "Acme", "web_server": "fastapi"})
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("question", "value"),
    [("event_loop", "trio"), ("web", "django"), ("http_client", "requests")],
)
def test_a_value_outside_the_choices_is_refused(question: str, value: str) -> None:
    with pytest.raises(questions.AnswerError, match=f"{question}='{value}' is not one of"):
        QUESTIONNAIRE.resolve({"project_name": "Acme", question: value})


@pytest.mark.parametrize("web", QUESTIONNAIRE["web"].values())
@pytest.mark.parametrize("http_client", QUESTIONNAIRE["http_client"].values())
def test_web_and_http_client_add_their_packages_and_files(
    web: str, http_client: str, template_source: Path, tmp_path: Path
) -> None:
    answers = {"project_name": "Acme", "web": web, "http_client": http_client}
    project = render(template_source, tmp_path / "p", answers)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    names = [dep.split(">")[0] for dep in pyproject["project"]["dependencies"]]
    expected = {"aiohttp": ["aiohttp"], "fastapi": ["fastapi", "uvicorn"], "none": []}[web]
    expected += {"aiohttp": ["aiohttp"], "httpx": ["httpx"], "none": []}[http_client]
    assert sorted(names) == sorted(set(expected)), "each package once"
    package = project / "src" / "acme"
    assert (package / "web").is_dir() == (web != "none")
    assert (package / "resources").is_dir() == (http_client != "none")
    assert (package / "workers" / "upstream.py").is_file() == (http_client != "none")


def other_id(answers: dict[str, Any]) -> str:
    defaults = QUESTIONNAIRE.resolve({"project_name": answers["project_name"]})
    changed = [f"{k}={v}" for k, v in answers.items() if defaults.get(k) != v]
    return ",".join(changed) or "defaults"


@pytest.mark.parametrize("answers", OTHER_VARIANTS, ids=[other_id(v) for v in OTHER_VARIANTS])
def test_other_axis_changes_its_files(
    answers: dict[str, Any], template_source: Path, tmp_path: Path
) -> None:
    project = render(template_source, tmp_path / "p", answers)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    python_min = answers["python_min"]
    assert pyproject["project"]["requires-python"] == f">={python_min}"
    assert (project / ".python-version").read_text().strip() == python_min
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + python_min.replace(".", "")

    license_file = project / "LICENSE"
    if answers["license"] == "proprietary":
        assert not license_file.exists()
        assert "license" not in pyproject["project"]
    else:
        assert pyproject["project"]["license"] == answers["license"]
        text = license_file.read_text(encoding="utf-8")
        assert ("MIT License" in text) == (answers["license"] == "MIT")
        assert ("Apache License" in text) == (answers["license"] == "Apache-2.0")

    workflow = project / ".github" / "workflows" / "ci.yml"
    if answers["ci"] == "github":
        jobs = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]
        versions = jobs["check"]["strategy"]["matrix"]["python-version"]
        assert versions[0] == python_min
        assert all(tuple(map(int, v.split("."))) >= (3, 11) for v in versions)
        steps = " ".join(str(step.get("run", "")) for step in jobs["check"]["steps"])
        for command in ("ruff format --check", "ruff check", "mypy", "pytest"):
            assert command in steps
    else:
        assert not (project / ".github").exists()
    assert not [p for p in project.rglob("*") if p.is_file() and p.stat().st_size == 0]


def test_copier_command_line_renders_without_trust(template_source: Path, tmp_path: Path) -> None:
    copier = Path(sys.executable).parent / "copier"
    out = tmp_path / "acme"
    done = subprocess.run(
        [
            *(str(copier), "copy", "--defaults", "--data", "project_name=Acme Worker"),
            *(str(template_source), str(out)),
        ],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers = yaml.safe_load((out / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["project_name"] == "Acme Worker"
    assert answers["package_name"] == "acme_worker"
    assert (out / "src" / "acme_worker" / "runtime" / "supervisor.py").is_file()
    assert "project_slug" not in answers
