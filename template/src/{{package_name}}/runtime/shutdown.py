"""Signals turned into shutdown phases, the hard deadline, and the exit code that reports them.

Design note. The first SIGTERM, SIGINT or SIGHUP starts DRAIN: readiness drops, intake stops,
accepted work finishes within the drain timeout. A second signal, or the drain deadline, moves
to CANCEL: each child is asked to stop, then cancelled, and gets its own cancel timeout to
unwind. Resources then close in reverse order, each within its close timeout. Each wait is an
`asyncio.timeout` scope that a signal can cut short by rescheduling it to now, so no phase needs
a task of its own.

None of that can help a loop that is wedged (a task swallowing CancelledError, a blocking
call): TaskGroup exit and `asyncio.run`'s teardown wait forever. So a watchdog thread
(`deadline.Watchdog`) sees the first signal as it arrives, even while the loop is blocked, and
calls `os._exit` once the hard deadline has passed: drain + cancel x children + close x
resources + margin, the sum of every phase's worst case (cancel waits are per child, and run
one after another). A service that gives up by itself (a child that cannot start, a crash
loop) arms the same deadline without the drain, with exit code 1. A forced exit still writes
the summary line, with the counts known then.

Signals: TERM, INT and HUP drain (HUP is what a closing terminal sends; one ignored at start,
as under `nohup`, stays ignored); a second one forces. USR1 logs every task's stack and goes
on. USR2 is logged and ignored, free for the owner. QUIT keeps its default, an immediate exit
with a core dump where enabled, after faulthandler writes the interrupted thread's stack to stderr.
"""

from __future__ import annotations

import asyncio
import enum
import faulthandler
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

from . import logs
from .deadline import Watchdog
from .logs import event

logger = logging.getLogger(__name__)

DRAIN_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
SIGNALS = (*DRAIN_SIGNALS, signal.SIGUSR1, signal.SIGUSR2)


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
        cancel_timeout: seconds the cancelled task, in all, gets to unwind; a supervisor
            needs its own cancel timeout once per child.
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
        self.gave_up = False
        self.last_words: Callable[[int], None] = _no_summary
        self._requested: asyncio.Future[int] | None = None
        self._scope: asyncio.Timeout | None = None
        self._watchdog = Watchdog(
            self.on_signal,
            arming=DRAIN_SIGNALS,
            budget=self._budget,
            on_expiry=self._hard_exit,
        )

    @property
    def requested(self) -> asyncio.Future[int]:
        """Resolves with the first signal's number."""
        if self._requested is None:
            self._requested = asyncio.get_running_loop().create_future()
        return self._requested

    @contextmanager
    def handling_signals(self) -> Iterator[None]:
        """Receive the signals while the block runs; restore their handlers after.

        The deadline, once armed, stays armed after the block: `asyncio.run`'s teardown can
        hang too.
        """
        loop = asyncio.get_running_loop()
        taken = [s for s in SIGNALS if not _ignored_at_start(s)]
        self._watchdog.listen(taken, loop.call_soon_threadsafe)
        dumping = _dump_stacks_on_quit()
        try:
            yield
        finally:
            if dumping:
                faulthandler.unregister(signal.SIGQUIT)
            self._watchdog.release()

    def on_signal(self, signum: int) -> None:
        """Act on a signal, on the loop: the first TERM, INT or HUP drains, the second cancels
        now, later ones are on the way out; USR1 logs every task's stack; USR2 is only logged.

        Args:
            signum: the signal's number.
        """
        name = signal.Signals(signum).name
        if signum == signal.SIGUSR1:
            _log_task_stacks()
            return
        if signum not in DRAIN_SIGNALS:
            event(logger, "signal_ignored", signal=name, phase=self.phase)
            return
        if self.signum is None:
            self.signum = signum
            self._watchdog.arm(128 + signum)  # already armed if the signal came from outside
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

    def give_up(self) -> None:
        """The service stops by itself and exits 1: arm the deadline, without the drain."""
        if self.signum is None and not self.gave_up:
            self.gave_up = True
            self._watchdog.arm(1)

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

        Waits at most `cancel_timeout` for the cancellation; then every task holding it up
        that has not been reported yet (a supervisor reports its own children) is logged once
        with the await it is blocked in, and the hard deadline will end the process.
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
            for stuck in logs.blocked_leaves(task):
                if logs.first_report(stuck):
                    event(
                        logger,
                        "task_ignores_cancel",
                        level=logging.ERROR,
                        task=stuck.get_name(),
                        stack=logs.stack_of(stuck),
                    )

    def exit_code(self, *, failed: bool, abandoned: int) -> int:
        """0: stopped gracefully, nothing lost. 1: startup failed or a child crashed beyond
        the restart intensity. 128+signum: the shutdown was forced or work was abandoned."""
        if failed:
            return 1
        if self.signum is not None and (self.forced or abandoned):
            return 128 + self.signum
        return 1 if abandoned else 0

    def disarm(self) -> None:
        """Stop the watchdog: call once the process is about to exit on its own."""
        self._watchdog.disarm()

    def _budget(self) -> float:
        return self.hard_deadline - (self.drain_timeout if self.gave_up else 0.0)

    def _hard_exit(self, code: int) -> None:
        """On the watchdog's helper thread: the last log lines before `os._exit(code)`."""
        seconds = round(self._budget(), 3)
        event(logger, "hard_deadline", level=logging.CRITICAL, exit_code=code, seconds=seconds)
        self.last_words(code)
        logs.flush()


def _ignored_at_start(signum: int) -> bool:
    """A hang-up ignored by whoever started us (`nohup`) stays ignored."""
    return signum == signal.SIGHUP and signal.getsignal(signum) == signal.SIG_IGN


def _dump_stacks_on_quit() -> bool:
    """QUIT: faulthandler writes the stack of the thread it interrupts (the event loop's, as a
    rule), then the default action follows. Not every thread's: reading the others' frames
    while they run can crash the process instead (seen as SIGSEGV mid-dump)."""
    try:
        faulthandler.register(signal.SIGQUIT, file=sys.stderr, all_threads=False, chain=True)
    except (AttributeError, ValueError, OSError):  # stderr is no file (captured, closed)
        return False
    return True


def _log_task_stacks() -> None:
    """USR1: what every task is waiting for, without stopping anything."""
    for task in asyncio.all_tasks():
        event(logger, "task_stack", task=task.get_name(), stack=logs.stack_of(task, follow=False))


def _no_summary(code: int) -> None:
    del code
