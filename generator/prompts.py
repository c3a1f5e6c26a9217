"""Asking: copier.yml's questions as prompts, and the one place questionary is imported.

The wizard talks to an `Asker`, an object with one method that answers a `Prompt`. In a
terminal that is `QuestionaryAsker`; tests pass their own asker that answers by question name,
so they say *what* a user answers, not in which order the prompts come. Without a terminal
there is no asker, and a question left unanswered becomes an error naming the flag to pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

import questionary

from generator.questions import CUSTOM, AnswerError, Answers, Question, Questionnaire

PRESET = "_preset"
"""The name of the "what are you building?" prompt; `_` keeps it apart from any question."""
CONFIRM = "_confirm"
"""The name of the "write these files?" prompt."""


class NoTerminalError(AnswerError):
    """An answer is needed and there is no terminal to ask it; the message names the flag."""


@dataclass(frozen=True)
class Option:
    label: str
    value: Any
    unavailable: str = ""
    """Why this option cannot be picked; shown beside it instead of hiding it."""


@dataclass(frozen=True)
class Prompt:
    name: str
    kind: Literal["select", "text", "confirm"]
    message: str
    default: Any = None
    options: tuple[Option, ...] = ()
    validate: Callable[[str], str | None] | None = None
    """For text: the reason a typed value would be refused, or None; lets a terminal refuse
    it in place. Every answer is checked again after it is given, whatever the asker."""
    error: str = ""
    """Why the previous answer to this prompt was refused."""


class Asker(Protocol):
    def ask(self, prompt: Prompt) -> Any:
        """Return the answer to `prompt`; raise KeyboardInterrupt when the user stops."""


class QuestionaryAsker:
    """Asks in a terminal; Ctrl-C raises KeyboardInterrupt (questionary's `unsafe_ask`)."""

    def ask(self, prompt: Prompt) -> Any:
        if prompt.error:
            questionary.print(f"  {prompt.error}", style="fg:ansired")
        if prompt.kind == "select":
            choices = [
                questionary.Choice(o.label, o.value, disabled=o.unavailable or None)
                for o in prompt.options
            ]
            return questionary.select(
                prompt.message, choices=choices, default=prompt.default
            ).unsafe_ask()
        if prompt.kind == "confirm":
            return questionary.confirm(prompt.message, default=bool(prompt.default)).unsafe_ask()
        check = prompt.validate
        return questionary.text(
            prompt.message,
            default="" if prompt.default is None else str(prompt.default),
            validate=(lambda text: check(text) or True) if check else None,
            validate_while_typing=False,  # judge the answer, not each keystroke of it
        ).unsafe_ask()


def ask_preset(questionnaire: Questionnaire, asker: Asker) -> str:
    """Ask what is being built; presets this template version cannot serve show why."""
    options = tuple(
        Option(
            preset.name if preset.name != CUSTOM else f"{CUSTOM} (ask every question)",
            preset.name,
            preset.reason,
        )
        for preset in questionnaire.presets
    )
    default = next(o.value for o in options if not o.unavailable)
    return str(asker.ask(Prompt(PRESET, "select", "What are you building?", default, options)))


def gather(
    questionnaire: Questionnaire,
    given: Mapping[str, Any],
    *,
    preset: str | None,
    defaults: bool,
    asker: Asker | None,
) -> Answers:
    """Answer every question: `given`, then the preset, then defaults (with `defaults`), then
    the asker. Each answer is validated as it comes, so a later default sees valid answers."""
    questionnaire.check_keys(given)
    left = [q for q in questionnaire.asked if q.name not in given]
    if preset is None and asker is not None and not defaults and left:
        preset = ask_preset(questionnaire, asker)
    known = {**questionnaire.preset(preset or CUSTOM).data, **given}

    def fill(question: Question, answers: Answers) -> Any:
        default = questionnaire.default(question, answers)
        if defaults and default is not None:
            return default
        if asker is None:
            situation = f"no terminal to ask {question.name!r}"
            if defaults:
                situation += ", which has no default"
            rest = "" if defaults else " (or --defaults for the rest)"
            raise NoTerminalError(f"{situation}; pass --data {question.name}=...{rest}")
        return ask_question(questionnaire, question, default, answers, asker)

    return questionnaire.resolve(known, fill)


def ask_question(
    questionnaire: Questionnaire,
    question: Question,
    default: Any,
    answers: Answers,
    asker: Asker,
) -> Any:
    """Ask until the answer passes copier.yml's validation, showing why the last one failed."""

    def refusal(value: Any) -> str | None:
        try:
            questionnaire.check(question, value, answers)
        except AnswerError as error:
            return str(error)
        return None

    prompt = _prompt(question, default, refusal)
    while True:
        value = asker.ask(prompt)
        error = refusal(value)
        if error is None:
            return value
        prompt = replace(prompt, error=error)


def confirm(asker: Asker, message: str) -> bool:
    return bool(asker.ask(Prompt(CONFIRM, "confirm", message, default=True)))


def _prompt(question: Question, default: Any, refusal: Callable[[Any], str | None]) -> Prompt:
    message = f"{question.name}: {question.help}"
    if question.choices:
        options = tuple(Option(c.label, c.value) for c in question.choices)
        return Prompt(question.name, "select", message, default, options)
    if question.type == "bool":
        return Prompt(question.name, "confirm", message, default)
    return Prompt(question.name, "text", message, default, validate=refusal)
