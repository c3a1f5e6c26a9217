"""`asyncio-service new` in a terminal, driven by a scripted user who answers by name."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from generator.prompts import CONFIRM, PRESET, Prompt
from generator.questions import load
from tests.driving import ScriptedAsker, files_to_create, new, recorded
from tests.repos import RPC_QUESTION, add_rpc_preset, commit_all

RPC = (
    RPC_QUESTION + "\nrpc_port:\n  type: int\n  help: The port to serve on\n  default: 8000\n"
    "  when: \"{{ rpc != 'none' }}\"\n"
)


def prompt_named(asker: ScriptedAsker, name: str) -> Prompt:
    return next(prompt for prompt in asker.prompts if prompt.name == name)


@pytest.fixture
def rpc_template(own_template_repo: Path) -> Path:
    """A later template version: an RPC question, a port asked for it, and a preset using it."""
    with (own_template_repo / "copier.yml").open("a", encoding="utf-8") as file:
        file.write(RPC)
    add_rpc_preset(own_template_repo)
    commit_all(own_template_repo, "Ask for an RPC framework", tag="v0.2.0")
    return own_template_repo


def test_first_prompt_asks_what_is_built_and_shows_unavailable_presets_with_the_reason(
    rpc_preset_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asker = ScriptedAsker({"project_name": "Beta Svc"})
    result = new(capsys, tmp_path / "out", rpc_preset_repo, "--no-sync", asker=asker)
    assert result.code == 0, result.err
    preset = asker.prompts[0]
    assert (preset.name, preset.kind, preset.default) == (PRESET, "select", "worker")
    reasons = {option.value: option.unavailable for option in preset.options}
    assert reasons == {
        "rpc-service": "needs the 'rpc' question, which this template version does not have yet",
        "worker": "",
        "api": "",
        "api+worker": "",
        "custom": "",
    }


def test_then_every_question_is_asked_in_order_with_its_help_and_default(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asker = ScriptedAsker({"project_name": "Beta Svc", "event_loop": "uvloop"})
    dest = tmp_path / "out"
    result = new(capsys, dest, template_repo, "--no-sync", asker=asker)
    assert result.code == 0, result.err
    questions = load()
    answered = questions.resolve({"project_name": "Beta Svc", "event_loop": "uvloop"})
    by_preset = questions.preset("worker").data
    assert asker.asked == [PRESET, *(name for name in answered if name not in by_preset), CONFIRM]
    package = prompt_named(asker, "package_name")
    assert package.default == "beta_svc"
    assert questions["package_name"].help in package.message
    loop = prompt_named(asker, "event_loop")
    assert [(o.label, o.value) for o in loop.options] == [
        (c.label, c.value) for c in questions["event_loop"].choices
    ]
    assert recorded(dest)["event_loop"] == "uvloop"


def test_after_a_preset_only_the_questions_it_leaves_are_asked(
    rpc_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asker = ScriptedAsker({PRESET: "rpc-service", "project_name": "Beta Svc"})
    dest = tmp_path / "out"
    result = new(capsys, dest, rpc_template, "--no-sync", asker=asker)
    assert result.code == 0, result.err
    assert "rpc" not in asker.asked
    assert "rpc_port" in asker.asked
    assert (recorded(dest)["rpc"], recorded(dest)["rpc_port"]) == ("grpc", 8000)


def test_a_question_whose_when_is_false_for_the_answers_so_far_is_not_asked(
    rpc_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asker = ScriptedAsker({PRESET: "custom", "project_name": "Beta Svc", "rpc": "none"})
    dest = tmp_path / "out"
    result = new(capsys, dest, rpc_template, "--no-sync", asker=asker)
    assert result.code == 0, result.err
    assert "rpc" in asker.asked
    assert "rpc_port" not in asker.asked
    assert "project_slug" not in asker.asked
    assert "rpc_port" not in recorded(dest)


def test_answers_given_as_flags_are_not_asked_again(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asker = ScriptedAsker()
    result = new(
        capsys,
        tmp_path / "out",
        template_repo,
        "--no-sync",
        "--preset",
        "worker",
        "--data",
        "project_name=Beta Svc",
        "--data",
        "license=Apache-2.0",
        asker=asker,
    )
    assert result.code == 0, result.err
    assert {PRESET, "project_name", "license"}.isdisjoint(asker.asked)
    assert "package_name" in asker.asked


class ValidatingAsker(ScriptedAsker):
    """Also types a few values into each text prompt's in-place check, as a terminal does."""

    def __init__(self, replies: dict[str, Any], tries: list[str]) -> None:
        super().__init__(replies)
        self.tries, self.verdicts = tries, list[dict[str, str | None]]()

    def ask(self, prompt: Prompt) -> Any:
        if prompt.validate is not None:
            self.verdicts.append({value: prompt.validate(value) for value in self.tries})
        return super().ask(prompt)


def test_a_refused_answer_is_asked_again_with_the_reason(
    template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asker = ValidatingAsker(
        {"project_name": "Beta Svc", "package_name": ["class", "beta_core"]}, ["class"]
    )
    dest = tmp_path / "out"
    result = new(capsys, dest, template_repo, "--no-sync", asker=asker)
    assert result.code == 0, result.err
    refusal = "package name 'class' is a Python keyword; pick another, e.g. 'class_service'"
    tries = [prompt for prompt in asker.prompts if prompt.name == "package_name"]
    assert [prompt.error for prompt in tries] == ["", refusal]
    assert {"class": refusal} in asker.verdicts
    assert recorded(dest)["package_name"] == "beta_core"


@pytest.mark.parametrize(
    ("flag", "prompts"), [("--defaults", ["project_name", CONFIRM]), ("--yes", ["project_name"])]
)
def test_defaults_ask_only_questions_without_one_and_yes_does_not_confirm_either(
    flag: str,
    prompts: list[str],
    template_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    asker = ScriptedAsker({"project_name": "Beta Svc"})
    result = new(capsys, tmp_path / "out", template_repo, "--no-sync", flag, asker=asker)
    assert result.code == 0, result.err
    assert asker.asked == prompts


class SummaryReader(ScriptedAsker):
    """Notes what was on screen and on disk when the confirmation was asked."""

    def __init__(self, capsys: pytest.CaptureFixture[str], dest: Path, **replies: Any) -> None:
        super().__init__(replies)
        self.capsys, self.dest = capsys, dest
        self.screen, self.dest_existed = "", True

    def ask(self, prompt: Prompt) -> Any:
        if prompt.name == CONFIRM:
            self.screen = self.capsys.readouterr().out
            self.dest_existed = self.dest.exists()
        return super().ask(prompt)


@pytest.mark.parametrize("confirmed", [True, False])
def test_the_summary_and_file_list_come_before_the_confirmation_and_no_writes_nothing(
    confirmed: bool, template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out"
    asker = SummaryReader(capsys, dest, project_name="Beta Svc", _confirm=confirmed)
    result = new(capsys, dest, template_repo, "--no-sync", asker=asker)
    assert "project_name  Beta Svc" in asker.screen
    assert "src/beta_svc/runtime/supervisor.py" in files_to_create(asker.screen)
    assert not asker.dest_existed
    if confirmed:
        assert result.code == 0
        assert recorded(dest)["project_name"] == "Beta Svc"
    else:
        assert result.code == 1
        assert result.err == f"asyncio-service: nothing written to {str(dest)!r}\n"
        assert os.listdir(tmp_path) == []
