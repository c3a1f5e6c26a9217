"""copier.yml read as data: presets, answering order, validation and variants."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml

from generator.questions import CUSTOM, AnswerError, Answers, Choice, Question, load
from tests.project import snapshot_template
from tests.repos import RPC_PRESET, RPC_QUESTION, add_rpc_preset


def template_with(tmp_path: Path, extra_questions: str) -> Path:
    """This worktree's template with more questions appended to copier.yml."""
    snapshot_template(tmp_path)
    with (tmp_path / "copier.yml").open("a", encoding="utf-8") as file:
        file.write(extra_questions)
    return tmp_path


def test_presets_come_from_copier_yml_in_order_with_custom_last() -> None:
    names = [preset.name for preset in load().presets]
    assert names == ["worker", "api", "api+worker", CUSTOM]


def test_a_preset_naming_a_missing_question_is_unavailable_with_the_reason(
    tmp_path: Path,
) -> None:
    root = template_with(tmp_path, "")
    add_rpc_preset(root)
    presets = {preset.name: preset for preset in load(root).presets}
    assert not presets[RPC_PRESET].available
    assert presets[RPC_PRESET].reason == (
        "needs the 'rpc' question, which this template version does not have yet"
    )
    assert presets["worker"].available
    assert presets["api"].available
    assert presets[CUSTOM].data == {}


def test_choosing_an_unavailable_preset_names_the_missing_question(tmp_path: Path) -> None:
    root = template_with(tmp_path, "")
    add_rpc_preset(root)
    with pytest.raises(
        AnswerError, match=r"preset 'rpc-service' needs the 'rpc' question.*'custom'"
    ):
        load(root).preset(RPC_PRESET)


def test_an_unknown_preset_is_refused_with_the_list_of_presets() -> None:
    with pytest.raises(AnswerError, match=r"preset 'cron' is not one of 'worker', 'api'"):
        load().preset("cron")


def test_a_preset_becomes_available_once_its_question_exists(tmp_path: Path) -> None:
    root = template_with(tmp_path, RPC_QUESTION)
    add_rpc_preset(root)
    questionnaire = load(root)
    rpc = questionnaire.preset(RPC_PRESET)
    answers = questionnaire.resolve({**rpc.data, "project_name": "Beta Svc"})
    assert answers["rpc"] == "grpc"


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
            RPC_QUESTION + "\nrpc_port:\n  type: int\n  help: Port\n  default: 8000\n"
            "  when: \"{{ rpc != 'none' }}\"\n",
        )
    )
    without = questionnaire.resolve({"project_name": "Beta Svc"})
    with_rpc = questionnaire.resolve({"project_name": "Beta Svc", "rpc": "grpc"})
    assert "rpc_port" not in without
    assert with_rpc["rpc_port"] == 8000


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
            {"project_name": "9 Lives", "package_name": "9_lives"},
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
    with pytest.raises(AnswerError, match=r"'rpc' is not a question of this template; use one"):
        load().resolve({"project_name": "X", "rpc": "grpc"})


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


def test_covering_variants_include_the_defaults_and_every_value_of_every_code_axis() -> None:
    questionnaire = load()
    chosen = questionnaire.covering()
    defaults = questionnaire.resolve({"project_name": "Variant Service"})
    assert all(chosen[0].get(axis) == defaults.get(axis) for axis in questionnaire.code_axes)
    for axis in questionnaire.code_axes:
        # An axis asked only `when:` another answer allows it is left out of some variants.
        assert {v[axis] for v in chosen if axis in v} == set(questionnaire[axis].values())


def test_covering_variants_cover_every_pair_with_far_fewer_than_all_combinations() -> None:
    base = load()
    extra = (
        Question("front", "str", "f", "none", tuple(Choice(v, v) for v in ("none", "a", "b"))),
        Question("db", "str", "d", "none", tuple(Choice(v, v) for v in ("none", "pg", "lite"))),
        Question("cache", "bool", "c", default=False),
        Question(
            "source",
            "str",
            "s",
            "mem",
            (Choice("mem", "mem"), Choice("st", "st")),
            when="{{ cache }}",
        ),
    )
    axes = ("event_loop", "front", "db", "cache", "source")
    questionnaire = replace(base, questions=base.questions + extra, code_axes=axes)
    every = questionnaire.variants("code")
    chosen = questionnaire.covering()

    def pairs(answers: dict[str, Any]) -> set[tuple[tuple[str, Any], ...]]:
        return set(itertools.combinations([(a, answers.get(a)) for a in axes], 2))

    assert set().union(*map(pairs, chosen)) == set().union(*map(pairs, every))
    assert len(every) == 54
    assert len(chosen) <= 12
