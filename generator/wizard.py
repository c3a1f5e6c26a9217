"""The `new` command's steps: answers, summary, render, post-steps, next steps.

`new` checks everything a user gave (flags, data, destination, template source, every
answer) before copier runs, so bad input never leaves anything behind; see `render` for how
a half-made project never appears at the destination either.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator import render
from generator.prompts import Asker, NoTerminalError, confirm, gather
from generator.questions import Answers, Questionnaire, load, shown, template_root
from generator.source import Revision, Source, fetch, source


class InputError(ValueError):
    """A flag, data file or destination the wizard cannot use; the message names the fix."""


class Declined(RuntimeError):
    """The user answered no to writing the project."""


@dataclass(frozen=True)
class NewOptions:
    dest: Path | None = None
    template: str | None = None
    vcs_ref: str | None = None
    preset: str | None = None
    data: Sequence[str] = ()
    data_file: Path | None = None
    defaults: bool = False
    yes: bool = False
    git: bool = True
    sync: bool = True
    verify: bool = False
    dry_run: bool = False


def new(options: NewOptions, asker: Asker | None) -> None:
    """Make a project from the answers the options, the preset and the asker give."""
    given = {**read_data_file(options.data_file), **parse_data(options.data)}
    if options.dest is not None:
        check_dest(options.dest)
    if options.verify and not render.uv_available():
        raise InputError(
            "--verify runs the project's checks with uv, which is not on PATH; "
            "install uv (https://docs.astral.sh/uv/) or drop --verify"
        )
    src = source(options.template, options.vcs_ref)
    check_outside_template(src, options.dest)
    with fetch(src) as revision:
        questionnaire = load(revision.root)
        # --yes means "ask me nothing": like `npm init --yes`, it takes the defaults too.
        defaults = options.defaults or options.yes
        answers = gather(
            questionnaire, given, preset=options.preset, defaults=defaults, asker=asker
        )
        derived = questionnaire.derived(answers)
        dest = options.dest or Path(str(derived.get("project_slug") or answers["package_name"]))
        check_dest(dest)
        if asker is None and not (options.yes or options.dry_run):
            raise NoTerminalError(f"no terminal to confirm writing {str(dest)!r}; pass --yes")
        if options.dry_run:
            with tempfile.TemporaryDirectory(prefix="asyncio-service-dry-run-") as tmp:
                created = render.render(revision, answers, Path(tmp) / dest.name)
            print(summary(questionnaire, revision, answers, dest, created))
            print("Dry run: nothing written.")
            return
        confirming = None if options.yes else asker
        lock = options.git and options.sync and render.uv_available()
        write(
            questionnaire,
            revision,
            answers,
            dest,
            git=options.git,
            lock=lock,
            confirming=confirming,
        )
        steps = next_steps(questionnaire, answers, dest)
    after(dest, sync=options.sync, verify=options.verify)
    print(steps)


def write(
    questionnaire: Questionnaire,
    revision: Revision,
    answers: Answers,
    dest: Path,
    *,
    git: bool,
    confirming: Asker | None,
    lock: bool = False,
) -> None:
    """Render, show the summary, confirm with `confirming` if given, commit, move into place."""
    with render.staging(dest) as staged:
        created = render.render(revision, answers, staged)
        print(summary(questionnaire, revision, answers, dest, created))
        if confirming and not confirm(confirming, f"Create {dest}?"):
            raise Declined(f"nothing written to {str(dest)!r}")
        if lock:  # uv.lock belongs in the first commit, or the first `update` finds it dirty
            render.step(["uv", "lock", "--quiet"], staged, "nothing was written; pass --no-sync")
        if git:
            answers_file = str(questionnaire.settings.get("_answers_file", ".copier-answers.yml"))
            message = render.first_commit(staged, answers, answers_file)
            render.progress(f"git: first commit {message!r}")
        render.publish(staged, dest)
    render.progress(f"created {dest}: {len(created)} file{'s' * (len(created) != 1)}")


def after(dest: Path, *, sync: bool, verify: bool) -> None:
    """The steps that need the project at its final path: `uv sync` and the checks."""
    fix = f"the project is in {str(dest)!r}: fix that and run it there again"
    if sync and not render.uv_available():
        render.progress(f"uv sync: skipped, uv is not on PATH; install it, then run it in {dest}")
    elif sync:
        render.step(["uv", "sync"], dest, fix, doing="uv sync: installing the project's packages")
    if verify:
        for command in render.CHECKS:
            render.step(command, dest, fix, doing=f"check `{' '.join(command)}`")


def summary(
    questionnaire: Questionnaire,
    revision: Revision,
    answers: Answers,
    dest: Path,
    created: Sequence[str],
) -> str:
    derived = questionnaire.derived(answers)
    width = max(len(name) for name in [*answers, *derived])
    lines = [
        f"New project in {dest.absolute()}",
        f"  from {revision.source.url} at {revision.ref}",
        "",
        "Answers:",
        *(f"  {name:<{width}}  {shown(value)}" for name, value in answers.items()),
        *(f"  {name:<{width}}  {shown(value)}  (derived)" for name, value in derived.items()),
        "",
        f"Files to create ({len(created)}):",
        *(f"  {path}" for path in created),
    ]
    return "\n".join(lines)


def next_steps(questionnaire: Questionnaire, answers: Answers, dest: Path) -> str:
    """copier.yml's `_message_after_copy`, which plain `copier copy` prints too, rendered
    with the same names copier gives it; plus how to get uv when it is not on PATH."""
    message = str(questionnaire.settings.get("_message_after_copy") or "")
    context = {
        **answers,
        **questionnaire.derived(answers),
        "_copier_conf": {"dst_path": str(dest)},
        "_folder_name": dest.name,
    }
    text = str(questionnaire.render(message, context)).rstrip()
    if shutil.which("uv") is None:
        text += (
            "\n\nuv is not on your PATH: `pipx install uv` puts it there"
            " (until then, `pipx run uv` does what `uv` does)."
        )
    return text


def check_outside_template(src: Source, dest: Path | None) -> None:
    """Refuse a destination inside the template's own git work tree: git would take the new
    repository for a submodule without a URL, and every later render from that checkout
    (`asyncio-service new`, `copier copy`) would fail."""
    checkouts = [Path(src.url)] if src.local else []
    if (template_root() / ".git").exists():
        checkouts.append(template_root())
    where = (dest if dest is not None else Path.cwd()).absolute().resolve()
    for checkout in (c.absolute().resolve() for c in checkouts):
        if where != checkout and checkout not in where.parents:
            continue
        name = where.name if where != checkout else "my-service"
        if dest is None:
            raise InputError(
                f"this folder is inside the template's git checkout {str(checkout)!r}, where a"
                " new project would break every later render from it; give a destination"
                f" outside it, e.g. `asyncio-service new {checkout.parent / 'my-service'}`"
            )
        raise InputError(
            f"destination {str(dest)!r} is inside the template's git checkout {str(checkout)!r},"
            " where a new project would break every later render from it; pick a folder"
            f" outside it, e.g. {str(checkout.parent / name)!r}"
        )


def parse_data(items: Sequence[str]) -> dict[str, str]:
    """`--data key=value` items as a mapping; the later of two equal keys wins, as in copier."""
    data: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(
                f"--data {item!r} is not key=value; write it as e.g. --data project_name='Acme'"
            )
        data[key.strip()] = value
    return data


def read_data_file(path: Path | None) -> dict[str, Any]:
    """The answers in a --data-file: a YAML mapping of question names to answers."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InputError(
            f"cannot read --data-file {str(path)!r} ({reason}); give a readable YAML file"
        ) from None
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        raise InputError(f"--data-file {str(path)!r} is not valid YAML{at}; fix it") from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise InputError(
            f"--data-file {str(path)!r} is not a YAML mapping of question: answer; "
            "write e.g. 'project_name: Acme Worker'"
        )
    return {str(key): value for key, value in data.items()}


def check_dest(dest: Path) -> None:
    if dest.is_file() or (dest.exists() and not dest.is_dir()):
        raise InputError(f"destination {str(dest)!r} is a file; pick a folder that does not exist")
    if dest.is_dir() and any(dest.iterdir()):
        raise InputError(f"destination {str(dest)!r} is not empty; pick a new folder or empty it")
