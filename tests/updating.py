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


def rename_jobs_module(project: Path, package: Path) -> Path:
    """The owner's rename: `workers/jobs.py` becomes `workers/tasks.py`, importers follow."""
    git(project, "mv", str(package / "workers/jobs.py"), str(package / "workers/tasks.py"))
    import_tasks_not_jobs(project)
    commit_all(project, "owner: jobs are tasks here")
    return project / package / "workers/tasks.py"


def import_tasks_not_jobs(project: Path) -> None:
    """Point every import of `workers/jobs.py` at `workers/tasks.py`, as the renaming owner does
    (and only of that module: another `jobs` module elsewhere keeps its name)."""
    anywhere = re.compile(r"^(from (?:[\w.]*\.)?workers\.)jobs import", re.MULTILINE)
    beside = re.compile(r"^(from \.)jobs import", re.MULTILINE)
    for module in [*(project / "src").rglob("*.py"), *(project / "tests").rglob("*.py")]:
        text = module.read_text(encoding="utf-8")
        renamed = anywhere.sub(r"\1tasks import", text)
        if module.parent.name == "workers":
            renamed = beside.sub(r"\1tasks import", renamed)
        if renamed != text:
            module.write_text(renamed, encoding="utf-8")
