"""`asyncio-service variants`: the enumeration the template's own tests render."""

from __future__ import annotations

import json

import pytest

from generator.questions import load, shown
from tests import test_variants
from tests.driving import run


def test_variants_json_lists_the_code_and_other_variants_the_template_tests_use(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run(capsys, "variants", "--json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    questionnaire = load()
    assert document == {
        "code": questionnaire.variants("code"),
        "other": questionnaire.variants("other"),
        "fully_checked": questionnaire.covering(),
    }
    assert document["code"]
    assert document["other"]


def test_variants_table_has_a_row_per_variant_under_a_header_of_axes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run(capsys, "variants")
    assert result.code == 0, result.err
    questionnaire = load()
    code, other = result.out.split("\n\n")
    code_lines, other_lines = code.splitlines(), other.splitlines()
    axes = [*questionnaire.code_axes, *questionnaire.other_axes]
    assert code_lines[3].split() == ["checks", *axes]
    assert len(code_lines) == 4 + len(questionnaire.variants("code"))
    assert len(other_lines) == 2 + len(questionnaire.variants("other"))
    assert other_lines[1].split()[0] == "varies"
    for (name, variant), line in zip(questionnaire.other_variants(), other_lines[2:], strict=True):
        assert line.split() == [name, *(shown(variant.get(axis, "-")) for axis in axes)]


def test_variants_says_which_are_fully_checked_as_the_tests_check_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # tests/test_variants.py gives the covering set the full checks, every other code
    # variant the static ones: the listing claims exactly that, no more.
    if test_variants.FULL_MATRIX:
        pytest.skip("MATRIX=full checks every variant fully; the listing describes a normal run")
    result = run(capsys, "variants")
    code = result.out.split("\n\n")[0].splitlines()
    full, static = len(test_variants.COVERING), len(test_variants.STATIC_ONLY)
    assert code[0].startswith(
        f"Code variants ({full + static}): {full} fully and {static} statically"
    )
    rows = [line.split() for line in code[4:]]
    marked = [row[0] for row in rows]
    assert marked.count("full") == full
    assert marked.count("static") == static
    axes = test_variants.QUESTIONNAIRE.code_axes
    for answers in test_variants.COVERING:
        values = [shown(answers.get(axis, "-")) for axis in axes]
        assert ["full", *values] in [row[: 1 + len(axes)] for row in rows]


def test_booleans_are_shown_as_yes_or_no_as_the_prompts_ask_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run(capsys, "variants")
    assert "True" not in result.out
    assert "False" not in result.out
    assert " yes " in result.out
