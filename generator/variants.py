"""The `variants` command: every variant copier.yml allows, and the checks the template's CI
gives each (as tests/test_variants.py runs them; a test keeps the two in step)."""

from __future__ import annotations

import json

from generator.questions import Questionnaire, shown

FULL_CHECKS = (
    "uv sync, ruff format --check, ruff check, mypy --strict and the variant's own tests"
    " against real servers"
)
STATIC_CHECKS = (
    "rendered; ruff format --check, ruff check, every module imported, no empty module,"
    " no unused setting"
)
OTHER_CHECKS = "rendered; the files the axis changes are checked"


def variants_json(questionnaire: Questionnaire) -> str:
    document = {
        "code": questionnaire.variants("code"),
        "other": questionnaire.variants("other"),
        "fully_checked": questionnaire.covering(),
    }
    return json.dumps(document, indent=2)


def variants_table(questionnaire: Questionnaire) -> str:
    """The code variants as rows of their axes' values, each with the checks the template's
    CI gives it; then the other variants, each after the name of the one axis it varies."""
    axes = [*questionnaire.code_axes, *questionnaire.other_axes]
    code = questionnaire.variants("code")
    full = questionnaire.covering()
    other = questionnaire.other_variants()
    return "\n".join(
        [
            f"Code variants ({len(code)}): {len(full)} fully and {len(code) - len(full)}"
            " statically checked on every CI run (MATRIX=full checks them all fully)",
            f"  full: {FULL_CHECKS}",
            f"  static: {STATIC_CHECKS}",
            *_table(
                [
                    ["checks", *axes],
                    *(
                        [
                            "full" if row in full else "static",
                            *(shown(row.get(a, "-")) for a in axes),
                        ]
                        for row in code
                    ),
                ]
            ),
            "",
            f"Other variants ({len(other)}): {OTHER_CHECKS}",
            *_table(
                [
                    ["varies", *axes],
                    *([name, *(shown(row.get(a, "-")) for a in axes)] for name, row in other),
                ]
            ),
        ]
    )


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
