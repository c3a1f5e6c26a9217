"""The `asyncio-service` command: argument parsing and exit codes only.

Exit codes: 0 done; 1 stopped by the user or a step failed; 2 bad input. An expected error is
one line on stderr, `asyncio-service: <what failed, the value, the fix>`; tracebacks are bugs.

Nothing but `os` and `sys` (loaded with the interpreter) is imported before `main` runs: the
wizard's modules pull in argparse, copier, jinja2 and prompt_toolkit (most of a second), and a
Ctrl-C while they load must end in the same one line as a Ctrl-C at a prompt.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (9 ms)
if TYPE_CHECKING:
    import argparse

    from generator import update, wizard
    from generator.prompts import Asker

PROG = "asyncio-service"
DISTRIBUTION = "copier-asyncio-service"


def _expected_errors() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    """The errors that are bad input (exit 2) and failed steps (exit 1)."""
    from generator import update, wizard  # noqa: PLC0415
    from generator.questions import AnswerError  # noqa: PLC0415
    from generator.render import RenderError, StepError  # noqa: PLC0415
    from generator.source import SourceError  # noqa: PLC0415

    bad_input = (AnswerError, SourceError, wizard.InputError, update.UpdateError)
    failed = (RenderError, StepError, wizard.Declined, update.Conflicts, update.UpdateFailed)
    return bad_input, failed


class UsageError(ValueError):
    """A command line argparse refused."""


def parser() -> argparse.ArgumentParser:
    import argparse  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415
    from typing import NoReturn  # noqa: PLC0415

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            # argparse would print the whole usage too; one line pointing at --help is enough.
            raise UsageError(f"{message}; see `{self.prog} --help`")

    top = _Parser(prog=PROG, description="Start and inspect Python asyncio services.")
    top.add_argument("--version", action="version", version=f"{PROG} {version()}")
    quiet = _Parser(add_help=False)
    quiet.add_argument(
        "--quiet", "-q", action="store_true", help="no progress lines on stderr (errors still)"
    )
    commands = top.add_subparsers(dest="command", metavar="{new,update,variants}")

    new = commands.add_parser(
        "new",
        parents=[quiet],
        help="make a new service",
        description=(
            "Make a new service. Answers come from --data, then --data-file, then --preset, then "
            "the defaults (with --defaults or --yes), then a prompt. Exit status: 0 done, "
            "1 stopped or a step failed, 2 bad input."
        ),
    )
    new.add_argument(
        "dest",
        nargs="?",
        type=Path,
        metavar="DEST",
        help="the new folder (default: the project slug, in this folder)",
    )
    new.add_argument(
        "--preset",
        metavar="NAME",
        help="what you are building: a preset of copier.yml (e.g. worker), or custom",
    )
    new.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="answer a question (repeatable)",
    )
    new.add_argument("--data-file", type=Path, metavar="FILE", help="answers as a YAML mapping")
    new.add_argument(
        "--defaults",
        action="store_true",
        help="take the default of every question not answered otherwise",
    )
    new.add_argument(
        "--yes",
        action="store_true",
        help="ask nothing: take the defaults too, and write without confirming",
    )
    new.add_argument(
        "--template", metavar="SRC", help="template source: a git URL or a git checkout"
    )
    new.add_argument(
        "--vcs-ref",
        metavar="REF",
        help="template tag, branch or commit (default: the latest release)",
    )
    new.add_argument(
        "--no-git", dest="git", action="store_false", help="skip `git init` and the first commit"
    )
    new.add_argument("--no-sync", dest="sync", action="store_false", help="skip `uv sync`")
    new.add_argument(
        "--verify", action="store_true", help="run the project's own checks afterwards"
    )
    new.add_argument(
        "--dry-run", action="store_true", help="show the answers and the files; write nothing"
    )

    upd = commands.add_parser(
        "update",
        parents=[quiet],
        help="pull a newer template version into a service",
        description=(
            "Update a service from its template with copier's three-way merge. The project must "
            "be a git repository with a clean tree. Nothing is committed. Exit status: 0 done, "
            "1 conflicts or a step failed, 2 bad input."
        ),
    )
    upd.add_argument(
        "project", nargs="?", type=Path, default=Path(), metavar="PROJECT", help="default: ."
    )
    upd.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change an answer while updating (repeatable), e.g. event_loop=uvloop",
    )
    upd.add_argument(
        "--vcs-ref", metavar="REF", help="target tag, branch or commit (default: latest release)"
    )
    upd.add_argument("--yes", action="store_true", help="update without confirming")
    upd.add_argument(
        "--verify", action="store_true", help="run the project's checks when there is no conflict"
    )

    variants = commands.add_parser("variants", help="list every variant copier.yml allows")
    variants.add_argument("--json", action="store_true", help="print a JSON document")
    return top


def main(argv: list[str] | None = None, *, asker: Asker | None = None) -> int:
    """Run the command; `asker` answers prompts (default: a terminal, when stdin is one)."""
    try:
        return _main(sys.argv[1:] if argv is None else argv, asker)
    except (KeyboardInterrupt, EOFError):
        # Also a Ctrl-C while the modules load or while an error is being reported.
        return _fail("Stopped by user", 1)


def _main(argv: list[str], asker: Asker | None) -> int:
    try:
        return _run(argv, asker)
    except BrokenPipeError:
        # The reader went away (`| head`): not an error of ours. Point stdout at /dev/null so
        # the interpreter's own flush at exit does not complain about it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except SystemExit as exit_:  # --help, --version
        return exit_.code if isinstance(exit_.code, int) else 0
    except UsageError as error:
        return _fail(str(error), 2)
    except Exception as error:
        bad_input, failed = _expected_errors()
        if isinstance(error, bad_input):
            return _fail(str(error), 2)
        if isinstance(error, failed):
            return _fail(str(error), 1)
        raise


def _run(argv: list[str], asker: Asker | None) -> int:
    args = parser().parse_args(argv)
    from generator import render, update, wizard  # noqa: PLC0415
    from generator.prompts import QuestionaryAsker  # noqa: PLC0415

    if args.command in ("new", "update") and asker is None and sys.stdin.isatty():
        asker = QuestionaryAsker()
    if args.command in ("new", "update"):
        render.set_quiet(args.quiet)
        try:
            if args.command == "new":
                wizard.new(_new_options(args), asker)
            else:
                update.run(_update_options(args), asker)
        finally:
            render.set_quiet(False)
    elif args.command == "variants":
        from generator import variants  # noqa: PLC0415
        from generator.questions import load  # noqa: PLC0415

        questionnaire = load()
        text = variants.variants_json if args.json else variants.variants_table
        print(text(questionnaire))
    else:
        raise UsageError(f"choose a command: new, update or variants; see `{PROG} --help`")
    return 0


def version() -> str:
    """This installation's version, from its metadata (the source tree's when not installed)."""
    from importlib import metadata  # noqa: PLC0415

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown (not installed; run it with `uv run asyncio-service`)"


def _new_options(args: argparse.Namespace) -> wizard.NewOptions:
    from generator import wizard  # noqa: PLC0415

    return wizard.NewOptions(
        dest=args.dest,
        template=args.template,
        vcs_ref=args.vcs_ref,
        preset=args.preset,
        data=tuple(args.data),
        data_file=args.data_file,
        defaults=args.defaults,
        yes=args.yes,
        git=args.git,
        sync=args.sync,
        verify=args.verify,
        dry_run=args.dry_run,
    )


def _update_options(args: argparse.Namespace) -> update.UpdateOptions:
    from generator import update  # noqa: PLC0415

    return update.UpdateOptions(
        project=args.project,
        data=tuple(args.data),
        vcs_ref=args.vcs_ref,
        yes=args.yes,
        verify=args.verify,
    )


def _fail(message: str, code: int) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code
