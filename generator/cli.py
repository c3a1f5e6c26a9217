"""The `asyncio-service` command: argument parsing and exit codes only."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print(f"asyncio-service: no command yet for {args!r}", file=sys.stderr)
    return 2
