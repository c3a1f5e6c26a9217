"""An owner's life with a generated project: the usual edits, settling an update's conflicts
as an owner who follows the template would, and the project's own checks afterwards.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator import update
from generator.render import CHECKS as VERIFY_CHECKS

from .project import RUFF, Importer, clean_env, run_checks
from .repos import commit_all
from .updating import import_renamed, rename_module


@dataclass
class Owner:
    """A project made at a release, with the owner's edits: what must survive the update."""

    path: Path
    package: Path
    kept_text: dict[str, list[str]]  # file -> lines of the owner's that must still be there
    renamed: tuple[str, str]  # the module the owner renamed: old and new path in the project


HEARTBEAT = '''"""The owner's own child: ready at once, then waits to be asked to stop."""

from __future__ import annotations

import asyncio
from typing import Protocol


class Stoppable(Protocol):
    def ready(self) -> None: ...

    @property
    def stopping(self) -> asyncio.Event: ...


async def heartbeat(child: Stoppable) -> None:
    child.ready()
    await child.stopping.wait()
'''


def insert(path: Path, anchor: str, text: str, *, after: bool = True) -> str:
    """Put `text` after (or before) the first line starting with `anchor`; return `text`."""
    content = path.read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(anchor)}.*\n", content, re.MULTILINE)
    if found is None:
        pytest.fail(f"no line starting {anchor!r} in {path.name}: give this owner edit anew")
    at = found.end() if after else found.start()
    path.write_text(content[:at] + text + content[at:], encoding="utf-8")
    return text


def owner_edits(dest: Path) -> Owner:
    """An owner's usual edits to a project just made and committed, each committed: a child in
    app.py, a setting, a dependency, a test, README lines, a deleted test module, and a renamed
    module (0.1.0's `workers/jobs.py`, or from 0.2.0 on the example module)."""
    package = Path("src") / str(update.answers_of(dest)["package_name"])
    name = package.name
    kept: dict[str, list[str]] = {}

    def keep(relative: Path | str, text: str) -> None:
        kept.setdefault(str(relative), []).extend(text.strip("\n").splitlines())

    app = dest / package / "app.py"
    settings = dest / package / "settings.py"
    keep(
        package / "app.py", insert(app, "from .", "from .heartbeat import heartbeat\n", after=False)
    )
    (dest / package / "heartbeat.py").write_text(HEARTBEAT, encoding="utf-8")
    keep(package / "heartbeat.py", HEARTBEAT)
    note = 'owner_note: str = setting("hello", "A setting of the owner\'s.")\n'
    if (dest / package / "workers/jobs.py").is_file():  # 0.1.0: children listed, fields inline
        keep(package / "app.py", insert(app, '        ChildSpec("workers"', child_line(8)))
        keep(package / "settings.py", insert(settings, "    log_format:", f"    {note}"))
        old_module, new_module = "workers/jobs.py", "workers/tasks.py"
    else:  # the runtime's layout: children appended, fields in the Settings class body
        keep(package / "app.py", insert(app, "    return children", child_line(4), after=False))
        keep(package / "settings.py", insert(settings, '    from `.runtime`."""', f"\n    {note}"))
        text = settings.read_text(encoding="utf-8")
        settings.write_text(text.replace("from .runtime import ", "from .runtime import setting, "))
        old_module, new_module = "example.py", "jobs.py"
    keep(
        "pyproject.toml",
        insert(dest / "pyproject.toml", "dependencies = [", '  "packaging>=23",\n'),
    )
    test = (
        "import importlib\n\n\ndef test_the_heartbeat_imports() -> None:\n"
        f'    assert importlib.import_module("{name}.heartbeat")\n'
    )
    (dest / "tests/test_owner.py").write_text(test, encoding="utf-8")
    keep("tests/test_owner.py", test)
    readme = dest / "README.md"
    notes = f"\n## On call\n\nThe platform team. `{name.upper()}_OWNER_NOTE` says hello.\n"
    readme.write_text(readme.read_text(encoding="utf-8") + notes, encoding="utf-8")
    keep("README.md", notes)
    (dest / "tests/test_health.py").unlink()
    uv(dest, "lock")
    commit_all(dest, "owner: a heartbeat child, a setting, a dependency, a test, notes")
    rename_module(dest, package, old_module, new_module)
    renamed = (str(package / old_module), str(package / new_module))
    return Owner(dest, package, kept, renamed)


def child_line(indent: int) -> str:
    """The owner's child in app.py: an item of 0.1.0's list, or appended from 0.2.0 on."""
    spec = 'ChildSpec("heartbeat", heartbeat)'
    return " " * indent + (f"{spec},\n" if indent == 8 else f"children.append({spec})\n")


def uv(project: Path, *args: str) -> None:
    done = subprocess.run(
        ["uv", *args, "--quiet"],
        cwd=project,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@dataclass(frozen=True)
class Updated:
    needs: list[str]  # the files the wizard listed, one line each
    kept: list[str]  # the files it restored after the template removed them


CONFLICT = re.compile(
    rb"^<{7} before updating\r?\n(.*?)^(?:\|{7}[^\n]*\n.*?)?={7}\r?\n"
    rb"(.*?)^>{7} after updating\r?\n",
    re.MULTILINE | re.DOTALL,
)


def template_side_and_my_lines(text: bytes, mine: set[bytes]) -> bytes:
    """Each conflict settled to the template's side plus the owner's own added lines in it."""

    def settle(conflict: re.Match[bytes]) -> bytes:
        ours, theirs = conflict[1].splitlines(keepends=True), conflict[2].splitlines(keepends=True)
        return b"".join([*theirs, *(line for line in ours if line.rstrip() in mine)])

    return CONFLICT.sub(settle, text)


def resolve(owner: Owner, updated: Updated, target: Path) -> None:
    """Settle every listed file as an owner who follows the template would: the template's
    side of each conflict with the owner's own added lines, the template's change copied into
    the renamed module, the files the template removed deleted even where the owner had
    changed them, the rename kept, a fresh lock."""
    project = owner.path
    old_name, new_name = owner.renamed
    mine = {line.encode() for lines in owner.kept_text.values() for line in lines}
    for line in updated.needs:
        name = line.split(" (", 1)[0]
        if "(conflict markers)" in line:
            file = project / name
            file.write_bytes(template_side_and_my_lines(file.read_bytes(), mine))
        elif name == old_name and "changed it" in line:
            shutil.copy2(target / old_name, project / new_name)
    for name in updated.kept:
        (project / name).unlink()
    if (project / new_name).is_file() and not (project / old_name).exists():
        # The template's side, and new files, name the old module.
        old, new = (str(Path(n).relative_to(owner.package)) for n in owner.renamed)
        import_renamed(project, owner.package, old, new)
    follow_the_runtime_layout(project / owner.package)
    # The owner's import, kept from a conflict, goes back into isort's order.
    for command in ("check", "--fix", "--select", "I001", "--quiet"), ("format", "--quiet"):
        subprocess.run([str(RUFF), *command, "."], cwd=project, capture_output=True, check=False)
    uv(project, "lock")


def follow_the_runtime_layout(package: Path) -> None:
    """What 0.2.0's CHANGELOG tells an owner to do when app.py and settings.py conflict:
    re-add each child of theirs with `children.append(...)` before `return children`, and keep
    each field of theirs in the body of the new Settings class, with `setting` imported from
    the runtime. A project whose files kept the 0.1.0 layout is left as it is."""
    app = package / "app.py"
    text = app.read_text(encoding="utf-8")
    if "    return children\n" in text:
        children = re.findall(r"^ {8}(ChildSpec\(.*\)),\n", text, re.MULTILINE)
        text = re.sub(r"^ {8}ChildSpec\(.*\),\n", "", text, flags=re.MULTILINE)
        added = "".join(f"    children.append({child})\n" for child in children)
        app.write_text(text.replace("    return children\n", added + "    return children\n"))
    settings = package / "settings.py"
    text = settings.read_text(encoding="utf-8")
    if "class Settings(\n" in text:
        fields = re.findall(r"^ {4}\w+: .* = setting\(.*\)\n", text, re.MULTILINE)
        for field in fields:
            text = text.replace(field, "", 1)
        body = text.index('"""', text.index('"""', text.index("class Settings(\n")) + 3) + 3
        text = text[:body] + "\n\n" + "".join(fields) + text[body:]
        example = package.parent.parent / ".env.example"
        prefix = package.name.upper() + "_"
        for field in fields if example.is_file() else []:
            declared = ast.parse(field.strip()).body[0]
            assert isinstance(declared, ast.AnnAssign)
            assert isinstance(declared.target, ast.Name)
            assert isinstance(declared.value, ast.Call)
            default, help_text = (ast.literal_eval(arg) for arg in declared.value.args[:2])
            entry = f"\n# {help_text}\n{prefix}{declared.target.id.upper()}={default}\n"
            example.write_text(example.read_text(encoding="utf-8") + entry, encoding="utf-8")
        if fields and not re.search(r"^from \.runtime import .*\bsetting\b", text, re.MULTILINE):
            runtime_import = re.compile(r"^from \.runtime import ", re.MULTILINE)
            text = runtime_import.sub("from .runtime import setting, ", text, count=1)
        settings.write_text(text, encoding="utf-8")


def passes_its_checks(owner: Owner, *, full: bool) -> None:
    """The full checks, or ruff and importing every module in the project's own venv."""
    project = owner.path
    uv(project, "sync", "--locked")
    if full:
        failed = [r for r in run_checks(project, VERIFY_CHECKS) if r.code != 0]
    else:
        checks = ((str(RUFF), "format", "--check", "."), (str(RUFF), "check", "."))
        failed = [r for r in run_checks(project, checks) if r.code != 0]
        if not failed:
            importer = Importer(project / ".venv/bin/python")
            try:
                imported = importer.check(project, owner.package.name)
            finally:
                importer.close()
            failed = [imported] if imported.code else []
    assert not failed, f"{failed[0].command} failed:\n{failed[0].output[-4000:]}"
