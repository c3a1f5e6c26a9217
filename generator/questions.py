"""The questions of copier.yml as data: read, validated and enumerated, never restated.

copier.yml is the only list of questions. This module reads it and renders its Jinja the way
copier does (same sandbox, same ansible filters, loader rooted at the template root), so the
wizard can validate an answer before copier runs and the tests can enumerate every variant.
It has no questionary import: prompting is `generator.prompts`' concern.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

Answers = dict[str, Any]
Fill = Callable[["Question", Answers], Any]

CUSTOM = "custom"


class AnswerError(ValueError):
    """An answer that copier.yml does not accept; the message names the value and the fix."""


def template_root() -> Path:
    """Return the folder holding copier.yml: the checkout, or the copy packaged in the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent, here / "_template"):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise FileNotFoundError(f"copier.yml not found beside {here}; reinstall copier-asyncio-service")


@dataclass(frozen=True)
class Choice:
    label: str
    value: Any


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    help: str
    default: Any = None
    choices: tuple[Choice, ...] = ()
    validator: str | None = None
    when: Any = True

    @property
    def computed(self) -> bool:
        """A `when: false` question is a derived value: never asked, never saved."""
        return self.when is False

    def values(self) -> list[Any]:
        """Every value this question can take, when it is a closed set."""
        if self.choices:
            return [choice.value for choice in self.choices]
        if self.type == "bool":
            return [False, True]
        raise AnswerError(f"question {self.name!r} has no fixed set of values to enumerate")


@dataclass(frozen=True)
class Preset:
    """A named set of answers from copier.yml's `_presets`; the built-in `custom` sets none.

    A preset that names questions this template version lacks stays listed, with the reason,
    so a user sees what is coming instead of wondering where it went.
    """

    name: str
    data: Mapping[str, Any]
    missing: tuple[str, ...] = ()

    @property
    def available(self) -> bool:
        return not self.missing

    @property
    def reason(self) -> str:
        """Why the preset is unavailable; empty when it is available."""
        if not self.missing:
            return ""
        names = " and ".join(repr(name) for name in self.missing)
        noun = "question" if len(self.missing) == 1 else "questions"
        return f"needs the {names} {noun}, which this template version does not have yet"


@dataclass(frozen=True)
class Questionnaire:
    root: Path
    questions: tuple[Question, ...]
    code_axes: tuple[str, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def _env(self) -> SandboxedEnvironment:
        return SandboxedEnvironment(
            loader=FileSystemLoader(str(self.root)),
            extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )

    @property
    def asked(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if not q.computed)

    @property
    def other_axes(self) -> tuple[str, ...]:
        return tuple(
            q.name
            for q in self.asked
            if q.name not in self.code_axes and (q.choices or q.type == "bool")
        )

    @property
    def presets(self) -> tuple[Preset, ...]:
        """copier.yml's `_presets` in file order, then `custom`, which asks everything."""
        known = {q.name for q in self.asked}
        found = [
            Preset(name, dict(data or {}), tuple(key for key in data or {} if key not in known))
            for name, data in dict(self.settings.get("_presets") or {}).items()
            if name != CUSTOM
        ]
        return (*found, Preset(CUSTOM, {}))

    def preset(self, name: str) -> Preset:
        """Return the preset called `name`, or raise AnswerError saying what to pick instead."""
        for preset in self.presets:
            if preset.name == name:
                if not preset.available:
                    raise AnswerError(
                        f"preset {name!r} {preset.reason}; pick another preset or {CUSTOM!r}"
                    )
                return preset
        names = ", ".join(repr(p.name) for p in self.presets)
        raise AnswerError(f"preset {name!r} is not one of {names}; pick one of those")

    def __getitem__(self, name: str) -> Question:
        for question in self.questions:
            if question.name == name:
                return question
        raise KeyError(name)

    def render(self, value: Any, answers: Mapping[str, Any]) -> Any:
        """Render a Jinja string from copier.yml against the answers so far."""
        if not isinstance(value, str) or "{" not in value:
            return value
        return self._env.from_string(value).render(**answers)

    def is_asked(self, question: Question, answers: Mapping[str, Any]) -> bool:
        return to_bool(self.render(question.when, answers))

    def default(self, question: Question, answers: Mapping[str, Any]) -> Any:
        value = self.render(question.default, answers)
        return coerce(question, value) if value is not None else None

    def check(self, question: Question, value: Any, answers: Mapping[str, Any]) -> Any:
        """Coerce and validate one answer; return it, or raise AnswerError naming the fix."""
        value = coerce(question, value)
        choices = (
            [coerce(question, choice) for choice in question.values()] if question.choices else []
        )
        if choices and value not in choices:
            allowed = ", ".join(repr(v) for v in choices)
            raise AnswerError(
                f"{question.name}={value!r} is not one of {allowed}; pick one of those"
            )
        if question.validator:
            message = str(self.render(question.validator, {**answers, question.name: value}))
            if message.strip():
                raise AnswerError(" ".join(message.split()))
        return value

    def check_keys(self, answers: Mapping[str, Any]) -> None:
        """Reject answer keys that are not questions: copier would accept them silently."""
        known = {q.name for q in self.asked}
        for key in answers:
            if key not in known:
                raise AnswerError(
                    f"{key!r} is not a question of this template; "
                    f"use one of: {', '.join(sorted(known))}"
                )

    def resolve(self, given: Mapping[str, Any], fill: Fill | None = None) -> Answers:
        """Answer every asked question in order, validating each: from `given`, else from
        `fill(question, answers_so_far)` (a prompt, say), else from its default. Questions
        whose `when:` is false for the answers so far are left out, as copier leaves them."""
        self.check_keys(given)
        answers: Answers = {}
        for question in self.asked:
            if not self.is_asked(question, answers):
                # copier still checks an answer given to a question it does not ask (and
                # renders with it), so the validator must refuse what would change the files.
                if question.name in given:
                    self.check(question, given[question.name], answers)
                continue
            if question.name in given:
                value = given[question.name]
            elif fill is not None:
                value = fill(question, answers)
            else:
                value = self.default(question, answers)
                if value is None:
                    raise AnswerError(f"{question.name} has no default; give it with --data")
            answers[question.name] = self.check(question, value, answers)
        return answers

    def derived(self, answers: Mapping[str, Any]) -> Answers:
        """The values copier will derive from these answers and render with: the computed
        (`when: false`) ones, and the default of each question these answers do not ask
        (`redis` with work_source=redis-streams)."""
        found: Answers = {}
        for question in self.questions:
            known = {**answers, **found}
            if question.computed:
                found[question.name] = self.render(question.default, known)
            elif question.name not in answers and not self.is_asked(question, known):
                found[question.name] = self.default(question, known)
        return found

    def variants(self, axes: str = "code", base: Mapping[str, Any] | None = None) -> list[Answers]:
        """Every combination of the code axes (axes='code'), or each value of each other axis
        alone (axes='other'), as answer sets on top of `base`; combinations that a `when:`
        condition rules out are left out."""
        seed = dict(base or {"project_name": "Variant Service"})
        if axes == "code":
            return list(self._combinations(seed, self.code_axes))
        if axes == "other":
            return [answers for _, answers in self.other_variants(seed)]
        raise AnswerError(f"axes={axes!r} is not 'code' or 'other'")

    def other_variants(self, base: Mapping[str, Any] | None = None) -> list[tuple[str, Answers]]:
        """`variants('other')`, each with the name of the axis it varies."""
        seed = dict(base or {"project_name": "Variant Service"})
        return [
            (name, self.resolve({**seed, name: value}))
            for name in self.other_axes
            for value in self[name].values()
        ]

    def covering(self, base: Mapping[str, Any] | None = None) -> list[Answers]:
        """A few code variants in which every value of each code axis, and every pair of values
        of two code axes that occur together in some variant, appear at least once.

        Greedy all-pairs: start from the all-defaults variant, then repeatedly take the variant
        that covers the most pairs not yet covered. Deterministic, so CI checks the same set.
        """
        combos = self.variants("code", base)
        seed = dict(base or {"project_name": "Variant Service"})
        defaults = self.resolve(seed)

        def facets(answers: Answers) -> set[tuple[tuple[str, str], ...]]:
            items = [(axis, repr(answers.get(axis))) for axis in self.code_axes]
            return {(item,) for item in items} | set(itertools.combinations(items, 2))

        uncovered = set().union(*(facets(c) for c in combos))
        first = next(c for c in combos if all(c.get(a) == defaults.get(a) for a in self.code_axes))
        chosen = [first]
        uncovered -= facets(first)
        while uncovered:
            best = max(combos, key=lambda c: len(facets(c) & uncovered))
            chosen.append(best)
            uncovered -= facets(best)
        return chosen

    def _combinations(self, seed: Answers, names: tuple[str, ...]) -> Iterator[Answers]:
        seen: set[tuple[tuple[str, str], ...]] = set()
        for combo in itertools.product(*(self[name].values() for name in names)):
            given = {**seed, **dict(zip(names, combo, strict=True))}
            # A value for a question these answers do not ask is left out, not refused.
            answers = self.resolve(
                {k: v for k, v in given.items() if k not in names or self.is_asked(self[k], given)}
            )
            key = tuple(sorted((k, repr(answers.get(k))) for k in names))
            if key not in seen:
                seen.add(key)
                yield answers


def shown(value: Any) -> str:
    """An answer as the prompts put it: yes/no for a boolean."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# copier's casting (copier/_tools.py `cast_to_bool`, `cast_to_str`; copier/_user_data.py
# `CAST_STR_TO_NATIVE`), restated because copier keeps it private. The wizard must accept and
# refuse exactly what `copier copy --data` does, with the same result: tests/test_answers.py
# checks every coercion against copier's own functions.
_TRUE_WORDS = {"y", "yes", "t", "true", "on"}
_FALSE_WORDS = {"n", "no", "f", "false", "off", "~", "null", "none"}
_KINDS = {"bool": "a yes/no value", "int": "a whole number", "float": "a number, e.g. 10 or 2.5"}


def to_bool(value: Any) -> bool:
    """copier's `cast_to_bool`: a number is true unless 0; then YAML's yes/no words; then bool()."""
    try:
        return bool(float(value))
    except (TypeError, ValueError):
        pass
    try:
        lowered = value.strip().lower()
    except AttributeError:
        return bool(value)
    if not lowered:
        return False
    if lowered in _TRUE_WORDS:
        return True
    if lowered in _FALSE_WORDS:
        return False
    return bool(value)


def _to_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float | int | Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return value.decode()
    raise ValueError(value)


_CASTS: dict[str, Callable[[Any], Any]] = {
    "bool": to_bool,
    "int": int,
    "float": float,
    "str": _to_str,
    "path": str,
}


def coerce(question: Question, value: Any) -> Any:
    """Cast an answer (a command-line string, a YAML value) to the question's type, as copier
    does; raise AnswerError where copier would refuse it."""
    cast = _CASTS.get(question.type)
    if cast is None:
        return value
    what = _KINDS.get(question.type, "text")
    if value is None:
        raise AnswerError(f"{question.name} has no value; give {what}")
    try:
        return cast(value)
    except (TypeError, ValueError, AttributeError, OverflowError):
        raise AnswerError(f"{question.name}={value!r} is not {what}") from None


def _choices(raw: Any) -> tuple[Choice, ...]:
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        return tuple(Choice(str(label), value) for label, value in raw.items())
    return tuple(Choice(str(value), value) for value in raw)


def load(root: Path | None = None) -> Questionnaire:
    """Read copier.yml under `root` (default: this installation's template)."""
    root = root or template_root()
    data = yaml.safe_load((root / "copier.yml").read_text(encoding="utf-8"))
    questions = []
    for name, raw in data.items():
        if name.startswith("_"):
            continue
        spec = raw if isinstance(raw, Mapping) else {"default": raw}
        questions.append(
            Question(
                name=name,
                type=str(spec.get("type", "str")),
                help=str(spec.get("help", name)),
                default=spec.get("default"),
                choices=_choices(spec.get("choices")),
                validator=spec.get("validator"),
                when=spec.get("when", True),
            )
        )
    settings = {k: v for k, v in data.items() if k.startswith("_")}
    return Questionnaire(
        root=root,
        questions=tuple(questions),
        code_axes=tuple(settings.get("_code_axes", ())),
        settings=settings,
    )
