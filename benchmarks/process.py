"""Child processes timed by their log lines: spawn, wait for `event=<name>`, signal, exit.

Design note. The times measured here are tens of milliseconds, so the waiting must not add
its own: `Popen.wait(timeout)` polls with sleeps of up to 50 ms, and a reader thread adds a
thread switch to every line. Instead one `select` watches the child's stderr pipe and a
pidfd (a descriptor that becomes readable the moment the process exits), so each line and
the exit are stamped with `time.perf_counter()` as they happen, under a bounded wait.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

FIELD = re.compile(r"(\w+)=(\S+)")


class BenchmarkError(Exception):
    """A real failure (a service that does not start, a check that fails): not a slow figure."""


def fields(line: str) -> dict[str, str]:
    """The `key=value` pairs of a plain log line."""
    return dict(FIELD.findall(line))


def without_bytecode_switch(env: Mapping[str, str]) -> dict[str, str]:
    """`env` without PYTHONDONTWRITEBYTECODE.

    A deployed service runs from cached bytecode; with the switch on, every start would
    recompile the service's modules and the figure would measure the compiler.
    """
    return {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}


class Child:
    """A process started now, whose stderr lines are stamped as they arrive.

    Args:
        argv: the command.
        env: its whole environment.
        cwd: its working directory.
    """

    def __init__(
        self, argv: Sequence[str], env: Mapping[str, str], cwd: Path | None = None
    ) -> None:
        self.argv = list(argv)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            self.argv,
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.lines: list[tuple[float, str]] = []
        self.exited_at: float | None = None
        self._partial = b""
        self._eof = False
        assert self.process.stderr is not None  # Popen made it a pipe
        self._pipe = self.process.stderr.fileno()
        self._pidfd = os.pidfd_open(self.process.pid) if hasattr(os, "pidfd_open") else None

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for(self, event: str, timeout: float) -> tuple[float, str]:
        """Return when the first `event=<event>` line arrived, and the line.

        Raises:
            BenchmarkError: the process exited, or `timeout` seconds passed, without it.
        """
        deadline = time.perf_counter() + timeout
        seen = 0
        while True:
            for stamp, line in self.lines[seen:]:
                if f"event={event}" in line.split():
                    return stamp, line
            seen = len(self.lines)
            if self._eof and self.exited_at is not None:
                raise BenchmarkError(
                    f"{self._name()} exited with code {self.process.wait()} before "
                    f"event={event}; last line: {self.last_line!r}"
                )
            if (left := deadline - time.perf_counter()) <= 0:
                raise BenchmarkError(
                    f"{self._name()} logged no event={event} within {timeout:g}s; "
                    f"last line: {self.last_line!r}"
                )
            self._pump(left)

    def signal(self, signum: signal.Signals) -> float:
        """Send `signum`; return when it was sent."""
        self.process.send_signal(signum)
        return time.perf_counter()

    def wait_exit(self, timeout: float) -> tuple[float, int]:
        """Return when the process exited and its exit code, reading its last lines.

        Raises:
            BenchmarkError: it is still running after `timeout` seconds.
        """
        deadline = time.perf_counter() + timeout
        while True:
            if self.exited_at is not None and self._eof:
                left = max(0.1, deadline - time.perf_counter())
                return self.exited_at, self.process.wait(timeout=left)
            if (left := deadline - time.perf_counter()) <= 0:
                raise BenchmarkError(
                    f"{self._name()} still running {timeout:g}s after it was asked to stop; "
                    f"last line: {self.last_line!r}"
                )
            self._pump(left)

    @property
    def eof(self) -> bool:
        """The process closed its stderr (it exited, usually)."""
        return self._eof

    def fileno(self) -> int:
        """The stderr pipe, for `loop.add_reader(child.fileno(), child.take_output)`: a
        server that logs every request would otherwise fill the pipe and stall."""
        return self._pipe

    def take_output(self) -> None:
        """Take the output waiting in the pipe, without waiting for more."""
        self._pump(0)

    def rss_mib(self) -> float:
        """The resident set size now (VmRSS of /proc/<pid>/status), in MiB.

        Raises:
            BenchmarkError: the process is gone or /proc does not say.
        """
        try:
            status = Path(f"/proc/{self.pid}/status").read_text(encoding="utf-8")
        except OSError as exc:
            raise BenchmarkError(f"cannot read the memory of {self._name()}: {exc}") from exc
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise BenchmarkError(f"/proc/{self.pid}/status has no VmRSS line")

    def close(self) -> None:
        """Kill the process if it still runs, and release its descriptors."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None

    def __enter__(self) -> Child:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _pump(self, timeout: float) -> None:
        """Wait at most `timeout` for output or the exit, and take what came."""
        pipe = self._pipe
        watched = [] if self._eof else [pipe]
        if self._pidfd is not None and self.exited_at is None:
            watched.append(self._pidfd)
        # Without a pidfd, poll the exit every millisecond: still far finer than the figures.
        wait = timeout if self._pidfd is not None else min(timeout, 0.001)
        ready, _, _ = select.select(watched, [], [], wait) if watched else ([], [], [])
        now = time.perf_counter()
        if self._pidfd is not None and self._pidfd in ready and self.exited_at is None:
            self.exited_at = now
        if self._pidfd is None and self.exited_at is None and self.process.poll() is not None:
            self.exited_at = now
        if pipe in ready:
            chunk = os.read(pipe, 65536)
            if not chunk:
                self._eof = True
            *complete, self._partial = (self._partial + chunk).split(b"\n")
            self.lines.extend((now, line.decode(errors="replace")) for line in complete)

    def _name(self) -> str:
        return f"`{' '.join([Path(self.argv[0]).name, *self.argv[1:]])}`"

    @property
    def last_line(self) -> str:
        """The last line it wrote, for error messages."""
        return self.lines[-1][1] if self.lines else self._partial.decode(errors="replace")
