"""Drive `copier update` in tests: template repositories whose versions the tests write and
tag, projects generated from them, and the two ways owners update (`asyncio-service update`
and plain `copier update`), each read back as an `update.Outcome`.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import copier

from generator import cli, losses, update

from .project import clean_env, snapshot_template
from .repos import commit_all

RUNTIME = Path("src/acme_worker/runtime")
TEMPLATE_RUNTIME = Path("template/src/{{package_name}}/runtime")
ANSWERS = {"project_name": "Acme Worker"}


def git(cwd: Path, *args: str) -> str:
    return update.git(*args, cwd=cwd)


class TemplateRepo:
    """A git repository of the template whose versions the tests write and tag."""

    def __init__(self, path: Path) -> None:
        self.path = path
        snapshot_template(path)
        git(path, "init", "-q", "-b", "main")
        (path / "CHANGELOG.md").write_text("# Changelog\n\n## 1.0.0\n\nFirst.\n")
        commit_all(path, "v1", tag="v1.0.0")

    def edit(self, relative: Path | str, old: str, new: str) -> None:
        file = self.path / relative
        text = file.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        file.write_text(text.replace(old, new, 1), encoding="utf-8")

    def release(self, version: str, note: str) -> None:
        changelog = self.path / "CHANGELOG.md"
        text = changelog.read_text(encoding="utf-8")
        changelog.write_text(text.replace("## ", f"## {version}\n\n{note}\n\n## ", 1))
        commit_all(self.path, f"v{version}", tag=f"v{version}")


def generate(template: TemplateRepo, dest: Path, ref: str = "v1.0.0", **answers: Any) -> Path:
    """A project of `template` at `ref`, committed as its owner's first commit."""
    copier.run_copy(
        str(template.path),
        str(dest),
        data={**ANSWERS, **answers},
        vcs_ref=ref,
        defaults=True,
        quiet=True,
        unsafe=False,
    )
    git(dest, "init", "-q", "-b", "main")
    commit_all(dest, "generated")
    return dest


def via_module(project: Path, data: dict[str, str]) -> update.Outcome:
    return update.apply(update.preflight(project), None, data)


def via_cli(project: Path, data: dict[str, str]) -> update.Outcome:
    """`asyncio-service update --yes`, reading the files it lists from its output."""
    argv = ["update", str(project), "--yes"]
    for key, value in data.items():
        argv += ["--data", f"{key}={value}"]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    lines = out.getvalue().splitlines()
    listed = lines[lines.index(update.ATTENTION) + 1 :] if update.ATTENTION in lines else []
    conflicts = [line.strip() for line in itertools.takewhile(bool, listed)]
    assert code == (1 if conflicts else 0), err.getvalue()
    kept = [line.split()[1].rstrip(":") for line in lines if line.startswith("kept ")]
    return update.Outcome(conflicts, kept)


def via_copier_cli(project: Path, data: dict[str, str]) -> update.Outcome:
    argv = [str(Path(sys.executable).parent / "copier"), "update", "--defaults"]
    argv += ["--skip-answered", "--conflict", "inline"]
    for key, value in data.items():
        argv += ["--data", f"{key}={value}"]
    done = subprocess.run(
        argv, cwd=project, env=clean_env(), capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return update.Outcome(losses.unfinished_merges(project), kept=[])


Driver = Callable[[Path, dict[str, str]], update.Outcome]
DRIVERS: dict[str, Driver] = {"asyncio-service": via_cli, "copier": via_copier_cli}


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def rename_module(project: Path, package: Path, old: str, new: str) -> None:
    """The owner's rename of module `old` to `new` (paths under `package`); importers follow."""
    git(project, "mv", str(package / old), str(package / new))
    import_renamed(project, package, old, new)
    commit_all(project, f"owner: {old} is {new} here")


# `from <dots><name> import <what>`: resolved against the importing module's package.
FROM_IMPORT = re.compile(r"^from (\.*)([\w.]*) import (.+)$", re.MULTILINE)


def import_renamed(project: Path, package: Path, old: str, new: str) -> None:
    """Point every import of module `old` (a path under `package`) at `new`, relative or
    absolute, and only of that module: another module of the same name keeps it. The module
    imported by name from its package keeps its old name as an alias."""
    target = (package.name, *Path(old).with_suffix("").parts)
    old_stem, stem = target[-1], Path(new).stem
    for module in [*(project / "src").rglob("*.py"), *(project / "tests").rglob("*.py")]:
        top = project / "src" if module.is_relative_to(project / "src") else project
        here = module.parent.relative_to(top).parts

        def follow(found: re.Match[str], here: tuple[str, ...] = here) -> str:
            dots, name, what = found.groups()
            base = here[: len(here) - len(dots) + 1] if dots else ()
            source = (*base, *filter(None, name.split(".")))
            if source == target:
                parent = name.rpartition(".")[0]
                return f"from {dots}{parent}{'.' if parent else ''}{stem} import {what}"
            if (*source, what) == target:
                return f"from {dots}{name} import {stem} as {old_stem}"
            return found[0]

        text = module.read_text(encoding="utf-8")
        renamed = FROM_IMPORT.sub(follow, text)
        if renamed != text:
            module.write_text(renamed, encoding="utf-8")
