"""SIGTERM and SIGINT turned into shutdown phases, and the exit code that reports them.

Design note. The first signal starts DRAIN: readiness drops, intake stops, accepted work
finishes within the drain timeout. A second signal, or the drain deadline, moves to CANCEL:
the children are cancelled and get the cancel timeout to unwind. Resources then close in
reverse order. Each wait is an `asyncio.timeout` scope that a signal can cut short by
rescheduling it to now, so no phase needs a task of its own.

None of that can help a loop that is wedged (a task swallowing CancelledError, a blocking
call): TaskGroup exit and `asyncio.run`'s teardown wait forever. So the first signal also arms
a watchdog *thread* that flushes the logs and calls `os._exit` once drain + cancel + close +
margin have passed: the process never outlives the orchestrator's grace period.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
import signal
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from . import logs
from .logs import event

logger = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Phase(enum.StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    DRAINING = "draining"
    CANCELLING = "cancelling"
    CLOSING = "closing"


class Shutdown:
    """Signal handling and shutdown phases for one service run.

    Args:
        drain_timeout: seconds accepted work gets to finish after the first signal.
        cancel_timeout: seconds cancelled children get to unwind.
        hard_deadline: seconds after the first signal at which the process exits, whatever
            state the loop is in.
    """

    def __init__(
        self, *, drain_timeout: float, cancel_timeout: float, hard_deadline: float
    ) -> None:
        self.drain_timeout = drain_timeout
        self.cancel_timeout = cancel_timeout
        self.hard_deadline = hard_deadline
        self.phase = Phase.STARTING
        self.signum: int | None = None
        self.forced = False
        self._requested: asyncio.Future[int] | None = None
        self._scope: asyncio.Timeout | None = None
        self._watchdog: threading.Timer | None = None

    @property
    def requested(self) -> asyncio.Future[int]:
        """Resolves with the first signal's number."""
        if self._requested is None:
            self._requested = asyncio.get_running_loop().create_future()
        return self._requested

    @contextmanager
    def handling_signals(self) -> Iterator[None]:
        """Route SIGTERM and SIGINT to this object while the block runs.

        The watchdog, once armed, stays armed after the block: `asyncio.run`'s teardown
        can hang too.
        """
        loop = asyncio.get_running_loop()
        for signum in SIGNALS:
            loop.add_signal_handler(signum, self.on_signal, signum)
        try:
            yield
        finally:
            for signum in SIGNALS:
                loop.remove_signal_handler(signum)

    def on_signal(self, signum: int) -> None:
        """First signal: drain. Second: cancel now. Later ones: already on the way out."""
        name = signal.Signals(signum).name
        if self.signum is None:
            self.signum = signum
            self._arm_watchdog()
            event(
                logger,
                "shutdown_requested",
                signal=name,
                phase=self.phase,
                drain_timeout=self.drain_timeout,
                hard_deadline=self.hard_deadline,
            )
            if not self.requested.done():
                self.requested.set_result(signum)
            if self.phase is Phase.STARTING:
                self._cut_scope()
        elif not self.forced:
            self.forced = True
            self.signum = signum
            event(logger, "shutdown_forced", level=logging.WARNING, signal=name, phase=self.phase)
            if self.phase is Phase.DRAINING:
                self._cut_scope()
        else:
            event(logger, "signal_ignored", signal=name, phase=self.phase)

    def _cut_scope(self) -> None:
        if self._scope is not None and not self._scope.expired():
            self._scope.reschedule(asyncio.get_running_loop().time())

    @asynccontextmanager
    async def interruptible(self, seconds: float | None = None) -> AsyncIterator[asyncio.Timeout]:
        """Run the block until it ends, `seconds` pass, or a signal cuts it short.

        While STARTING the first signal cuts it; while DRAINING the second does. Either way the
        block sees a TimeoutError and the yielded scope reports `expired()`.
        """
        async with asyncio.timeout(seconds) as scope:
            self._scope = scope
            try:
                if self.signum is not None and (self.phase is Phase.STARTING or self.forced):
                    self._cut_scope()
                yield scope
            finally:
                self._scope = None

    async def drain_then_cancel(self, task: asyncio.Task[None]) -> None:
        """Give `task`, already asked to stop, the drain timeout; then cancel it.

        Waits at most `cancel_timeout` for the cancellation; a task still running after that
        is ignoring cancellation: every pending task's stack is logged and the hard deadline
        will end the process.
        """
        self.phase = Phase.DRAINING
        try:
            async with self.interruptible(self.drain_timeout):
                await asyncio.wait({task})
        except TimeoutError:
            event(
                logger,
                "drain_cut",
                level=logging.WARNING,
                reason="second_signal" if self.forced else "drain_timeout",
            )
            self.forced = True
        else:
            event(logger, "drained")
            return
        self.phase = Phase.CANCELLING
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=self.cancel_timeout)
        if not done:
            current = asyncio.current_task()
            for other in asyncio.all_tasks():
                if other is not current and not other.done():
                    event(
                        logger,
                        "task_ignores_cancel",
                        level=logging.ERROR,
                        task=other.get_name(),
                        stack=logs.stack_of(other),
                    )

    def exit_code(self, *, failed: bool, abandoned: int) -> int:
        """0: stopped gracefully, nothing lost. 1: startup failed or a child crashed beyond
        the restart intensity. 128+signum: the shutdown was forced or work was abandoned."""
        if failed:
            return 1
        if self.signum is not None and (self.forced or abandoned):
            return 128 + self.signum
        return 1 if abandoned else 0

    def _arm_watchdog(self) -> None:
        signum = self.signum or signal.SIGTERM
        self._watchdog = threading.Timer(self.hard_deadline, _hard_exit, args=(signum,))
        self._watchdog.name = "shutdown-hard-deadline"
        self._watchdog.daemon = True
        self._watchdog.start()

    def disarm(self) -> None:
        """Stop the watchdog: call once the process is about to exit on its own."""
        if self._watchdog is not None:
            self._watchdog.cancel()


def _hard_exit(signum: int) -> None:
    event(logger, "hard_deadline", level=logging.CRITICAL, exit_code=128 + signum)
    logs.flush()
    os._exit(128 + signum)
