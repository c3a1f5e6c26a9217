"""The `asyncio-service` command: argument parsing and exit codes only.

Exit codes: 0 done; 1 stopped by the user or a step failed; 2 bad input. An expected error is
one line on stderr, `asyncio-service: <what failed, the value, the fix>`; tracebacks are bugs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from generator import update, wizard
from generator.prompts import Asker, QuestionaryAsker
from generator.questions import AnswerError, load
from generator.render import RenderError, StepError
from generator.source import SourceError

PROG = "asyncio-service"
BAD_INPUT = (AnswerError, SourceError, wizard.InputError, update.UpdateError)
FAILED = (RenderError, StepError, wizard.Declined, update.Conflicts, update.UpdateFailed)


class UsageError(ValueError):
    """A command line argparse refused."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse would print the whole usage too; one line that points at --help is enough.
        raise UsageError(f"{message}; see `{self.prog} --help`")


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog=PROG, description="Start and inspect Python asyncio services.")
    commands = top.add_subparsers(dest="command", metavar="{new,update,variants}")

    new = commands.add_parser(
        "new",
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
        args = parser().parse_args(sys.argv[1:] if argv is None else argv)
        if args.command == "new":
            if asker is None and sys.stdin.isatty():
                asker = QuestionaryAsker()
            wizard.new(_new_options(args), asker)
        elif args.command == "update":
            if asker is None and sys.stdin.isatty():
                asker = QuestionaryAsker()
            update.run(_update_options(args), asker)
        elif args.command == "variants":
            questionnaire = load()
            text = wizard.variants_json if args.json else wizard.variants_table
            print(text(questionnaire))
        else:
            raise UsageError(f"choose a command: new, update or variants; see `{PROG} --help`")
    except BrokenPipeError:
        # The reader went away (`| head`): not an error of ours. Point stdout at /dev/null so
        # the interpreter's own flush at exit does not complain about it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except SystemExit as exit_:  # --help
        return exit_.code if isinstance(exit_.code, int) else 0
    except (KeyboardInterrupt, EOFError):
        return _fail("Stopped by user", 1)
    except (*BAD_INPUT, UsageError) as error:
        return _fail(str(error), 2)
    except FAILED as error:
        return _fail(str(error), 1)
    return 0


def _new_options(args: argparse.Namespace) -> wizard.NewOptions:
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
