"""copier.yml read as data: presets, answering order, validation and variants."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import copier
import pytest
import yaml

from generator.questions import CUSTOM, AnswerError, Answers, Question, load
from tests.repos import copy_template


def template_with(tmp_path: Path, extra_questions: str) -> Path:
    """This worktree's template with more questions appended to copier.yml."""
    copy_template(tmp_path)
    with (tmp_path / "copier.yml").open("a", encoding="utf-8") as file:
        file.write(extra_questions)
    return tmp_path


WEB_QUESTION = """
web:
  type: str
  help: The web server
  choices: [none, fastapi, aiohttp]
  default: none
"""


def test_presets_come_from_copier_yml_in_order_with_custom_last() -> None:
    names = [preset.name for preset in load().presets]
    assert names == ["worker", "api", "api+worker", CUSTOM]


def test_a_preset_naming_a_missing_question_is_unavailable_with_the_reason() -> None:
    presets = {preset.name: preset for preset in load().presets}
    assert not presets["api"].available
    assert presets["api"].reason == (
        "needs the 'web' question, which this template version does not have yet"
    )
    assert presets["worker"].available
    assert presets[CUSTOM].data == {}


def test_choosing_an_unavailable_preset_names_the_missing_question() -> None:
    with pytest.raises(AnswerError, match=r"preset 'api' needs the 'web' question.*'custom'"):
        load().preset("api")


def test_an_unknown_preset_is_refused_with_the_list_of_presets() -> None:
    with pytest.raises(AnswerError, match=r"preset 'cron' is not one of 'worker', 'api'"):
        load().preset("cron")


def test_a_preset_becomes_available_once_its_question_exists(tmp_path: Path) -> None:
    questionnaire = load(template_with(tmp_path, WEB_QUESTION))
    api = questionnaire.preset("api")
    answers = questionnaire.resolve({**api.data, "project_name": "Beta Svc"})
    assert answers["web"] == "fastapi"


def test_resolve_asks_only_for_questions_not_given_in_copier_yml_order() -> None:
    questionnaire = load()
    asked: list[str] = []

    def fill(question: Question, answers: Answers) -> Any:
        asked.append(question.name)
        default = questionnaire.default(question, answers)
        return "Beta Svc" if default is None else default

    given = {"license": "Apache-2.0", "ci": "none"}
    answers = questionnaire.resolve(given, fill)
    assert asked == [name for name in answers if name not in given]
    assert asked == [
        q.name for q in questionnaire.asked if q.name in answers and q.name not in given
    ]
    assert answers["package_name"] == "beta_svc"
    assert answers["license"] == "Apache-2.0"


def test_resolve_leaves_out_a_question_whose_when_is_false_for_the_answers_so_far(
    tmp_path: Path,
) -> None:
    questionnaire = load(
        template_with(
            tmp_path,
            WEB_QUESTION + "\nweb_port:\n  type: int\n  help: Port\n  default: 8000\n"
            "  when: \"{{ web != 'none' }}\"\n",
        )
    )
    without = questionnaire.resolve({"project_name": "Beta Svc"})
    with_web = questionnaire.resolve({"project_name": "Beta Svc", "web": "aiohttp"})
    assert "web_port" not in without
    assert with_web["web_port"] == 8000


def test_computed_questions_are_never_asked_but_derived_from_the_answers() -> None:
    questionnaire = load()
    answers = questionnaire.resolve({"project_name": "Beta Svc"})
    assert "project_slug" not in answers
    assert questionnaire.derived(answers) == {"project_slug": "beta-svc", "env_prefix": "BETA_SVC_"}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"project_name": ""}, "project name is empty; give one, e.g. 'Acme Worker'"),
        ({"project_name": "123"}, "project name '123' has no letter"),
        (
            {"project_name": "9 Lives"},
            "package name '9_lives' is not a lowercase Python identifier starting with a letter;"
            " use letters, digits and '_', e.g. 'service_9_lives'",
        ),
        ({"project_name": "X", "package_name": ""}, "package name is empty"),
        (
            {"project_name": "X", "package_name": "class"},
            "package name 'class' is a Python keyword; pick another, e.g. 'class_service'",
        ),
        (
            {"project_name": "X", "package_name": "asyncio"},
            "package name 'asyncio' is a standard-library module; pick another",
        ),
        ({"project_name": "X", "license": "GPL"}, "license='GPL' is not one of 'MIT'"),
        ({"project_name": "X", "author_email": "me"}, "author email 'me' is not an address"),
    ],
)
def test_a_bad_answer_is_refused_naming_the_value_and_the_fix(
    given: dict[str, str], message: str
) -> None:
    with pytest.raises(AnswerError) as refused:
        load().resolve(given)
    assert message in str(refused.value)


def test_an_answer_key_that_is_not_a_question_is_refused() -> None:
    with pytest.raises(AnswerError, match=r"'web' is not a question of this template; use one"):
        load().resolve({"project_name": "X", "web": "fastapi"})


def test_copier_renders_copier_yml_without_a_warning_and_records_no_wizard_setting(
    template_repo: Path, tmp_path: Path
) -> None:
    copier.run_copy(
        str(template_repo),
        tmp_path / "project",
        data={"project_name": "Beta Svc"},
        defaults=True,
        quiet=True,
    )
    recorded = yaml.safe_load((tmp_path / "project" / ".copier-answers.yml").read_text())
    internal = {key for key in recorded if key.startswith("_")}
    assert internal == {"_commit", "_src_path"}
    assert set(recorded) - internal == set(load().resolve({"project_name": "Beta Svc"}))


def test_code_variants_cover_every_value_of_every_code_axis() -> None:
    questionnaire = load()
    found = questionnaire.variants("code")
    for axis in questionnaire.code_axes:
        assert {v[axis] for v in found if axis in v} == set(questionnaire[axis].values())


def test_other_variants_change_one_other_axis_each() -> None:
    questionnaire = load()
    found = questionnaire.variants("other")
    expected = sum(len(questionnaire[a].values()) for a in questionnaire.other_axes)
    assert len(found) == expected
    assert {v["license"] for v in found} == set(questionnaire["license"].values())
