"""Guard for `copier update`: an unresolved merge must never be committed or shipped.

`copier update --conflict inline` leaves `<<<<<<<` markers in files, and `--conflict rej`
leaves `*.rej` files beside them. Either means the update is not finished. A marker counts only
as a whole set (`<<<<<<<`, then `=======`, then `>>>>>>>`): a lone line of `=======` is a reST
title underline. Files are read as bytes, so a conflict in any encoding is found.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".git", ".venv", ".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__"}
MARKERS = re.compile(
    rb"^<{7}(?:[ \t][^\n]*)?\r?\n.*?^={7}\r?\n.*?^>{7}(?:[ \t][^\n]*)?\r?$",
    re.MULTILINE | re.DOTALL,
)


def unfinished_merges(root: Path) -> list[str]:
    """Files under `root` holding conflict markers, and `.rej` files."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP)
        for name in sorted(files):
            path = Path(folder, name)
            if path.suffix == ".rej":
                found.append(f"{path.relative_to(root)} (rejected hunk)")
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if path.resolve() != Path(__file__).resolve() and MARKERS.search(data):
                found.append(f"{path.relative_to(root)} (conflict markers)")
    return found


def test_the_project_has_no_unfinished_merge() -> None:
    assert unfinished_merges(ROOT) == [], "resolve these, then commit"


def test_the_guard_finds_markers_and_rejected_hunks(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("a\n<<<<<<< before updating\nb\n=======\nc\n>>>>>>> after\n")
    (tmp_path / "settings.py.rej").write_text("@@ -1 +1 @@\n")
    (tmp_path / "clean.py").write_text("x = '=' * 7\n")
    (tmp_path / "index.rst").write_text("Title\n=======\n")
    (tmp_path / "notes.txt").write_bytes(b"caf\xe9\n<<<<<<< a\nb\n=======\nc\n>>>>>>> b\n")
    assert unfinished_merges(tmp_path) == [
        "app.py (conflict markers)",
        "notes.txt (conflict markers)",
        "settings.py.rej (rejected hunk)",
    ]
