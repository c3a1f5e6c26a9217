"""`asyncio-service variants`: the enumeration the template's own tests render."""

from __future__ import annotations

import json

import pytest

from generator.questions import load
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
    assert code_lines[1].split() == [*questionnaire.code_axes, *questionnaire.other_axes]
    assert len(code_lines) == 2 + len(questionnaire.variants("code"))
    assert len(other_lines) == 2 + len(questionnaire.variants("other"))
    assert other_lines[1].split()[0] == "varies"
    axes = [*questionnaire.code_axes, *questionnaire.other_axes]
    for (name, variant), line in zip(questionnaire.other_variants(), other_lines[2:], strict=True):
        assert line.split() == [name, *(str(variant.get(axis, "-")) for axis in axes)]
