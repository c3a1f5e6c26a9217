"""Supervision with Erlang/OTP semantics on top of asyncio.TaskGroup.

Design note. Every child runs in the one TaskGroup owned by `Supervisor.run`, wrapped so that
its exception becomes a message to the supervisor instead of tearing the group down: a crash is
data, not a cancellation. One loop reads those messages in order and applies the strategy, so
restart decisions never race each other. Stopping mirrors starting: children are asked to
finish (their `stopping` event) from the last to the first, and only when `run` itself is
cancelled are they cancelled, still last first. A child being cancelled first sees its
`stopping` set, and gets a cancel timeout of its own: a slow sibling cannot use up its time
and get it accused. A child still running after its wait really ignores cancellation: it is
reported once, with the await it is blocked in, and the service's hard deadline ends it.
"""

from __future__ import annotations

import asyncio
import collections
import enum
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from .backoff import backoff_delay
from .logs import event, first_report, stack_of

logger = logging.getLogger(__name__)


class Restart(enum.StrEnum):
    PERMANENT = "permanent"  # always restarted
    TRANSIENT = "transient"  # restarted only after a crash
    TEMPORARY = "temporary"  # never restarted


class Strategy(enum.StrEnum):
    ONE_FOR_ONE = "one_for_one"  # restart the child that exited
    ONE_FOR_ALL = "one_for_all"  # stop the others, restart every child
    REST_FOR_ONE = "rest_for_one"  # stop and restart the child and those started after it


class SupervisorError(Exception):
    """The supervisor gave up; the service must shut down and exit 1."""


class StartError(SupervisorError):
    """A child crashed or did not signal ready while the supervisor was starting."""


class EscalationError(SupervisorError):
    """Children crashed more often than the restart intensity allows."""


class Child:
    """What a running child sees of its supervisor: call `ready()`, watch `stopping`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stopping = asyncio.Event()
        self._ready = asyncio.get_running_loop().create_future()

    def ready(self) -> None:
        """Tell the supervisor this child has started; the next child starts after it."""
        if not self._ready.done():
            self._ready.set_result(None)

    async def sleep(self, seconds: float) -> bool:
        """Wait `seconds`, or less if this child is asked to stop meanwhile.

        Returns True when the time passed and False once the child is asked to stop, so a
        periodic child reads `while await child.sleep(interval): do_the_work()`.

        Args:
            seconds: how long to wait at most.
        """
        if self.stopping.is_set():
            return False
        try:
            async with asyncio.timeout(seconds):
                await self.stopping.wait()
        except TimeoutError:
            return True
        return False


@dataclass(frozen=True)
class ChildSpec:
    name: str
    start: Callable[[Child], Awaitable[None]]
    restart: Restart = Restart.PERMANENT


@dataclass(eq=False)
class _Running:
    spec: ChildSpec
    child: Child
    task: asyncio.Task[None] | None = None
    error: BaseException | None = None


class Supervisor:
    """Start children in order, restart them by policy, stop them in reverse order.

    Args:
        children: the child specs, in start order.
        strategy: which siblings restart with a child that exited.
        max_restarts: restarts allowed within `max_seconds`; one more escalates.
        max_seconds: the window of the restart intensity.
        backoff_initial: the delay before the first restart in a window, doubled for each next.
        backoff_max: the cap of that delay.
        ready_timeout: how long a child may take to call `ready()`.
        cancel_timeout: how long each cancelled child may take to unwind.
        name: used in task names and log lines.
        restarts: where each child's restarts are counted, by its name; kept across restarts
            (the metrics read it).
    """

    def __init__(
        self,
        children: Sequence[ChildSpec],
        *,
        strategy: Strategy = Strategy.ONE_FOR_ONE,
        max_restarts: int = 3,
        max_seconds: float = 5.0,
        backoff_initial: float = 0.1,
        backoff_max: float = 2.0,
        ready_timeout: float = 10.0,
        cancel_timeout: float = 5.0,
        name: str = "supervisor",
        restarts: collections.Counter[str] | None = None,
    ) -> None:
        names = [spec.name for spec in children]
        if len(set(names)) != len(names):
            raise ValueError(f"child names must be unique; got {names!r}")
        self.name = name
        self._specs = tuple(children)
        self._strategy = Strategy(strategy)
        self._max_restarts = max_restarts
        self._max_seconds = max_seconds
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._ready_timeout = ready_timeout
        self._cancel_timeout = cancel_timeout
        self._restarts: collections.deque[float] = collections.deque()
        self._running: dict[str, _Running] = {}
        # Exit messages from the children; None asks the loop to stop.
        self._exits: asyncio.Queue[_Running | None] = asyncio.Queue()
        self._stop_requested = asyncio.Event()
        self._group: asyncio.TaskGroup | None = None
        self.restart_count = 0
        self.restarts: collections.Counter[str] = (
            collections.Counter() if restarts is None else restarts
        )
        self.restarts.update(dict.fromkeys(names, 0))  # every child, before its first restart

    def stop(self) -> None:
        """Ask for an orderly stop: no more restarts; children finish from the last one."""
        if not self._stop_requested.is_set():
            self._stop_requested.set()
            self._exits.put_nowait(None)

    async def run(
        self,
        on_ready: Callable[[], None] | None = None,
        on_failure: Callable[[SupervisorError], None] | None = None,
    ) -> None:
        """Supervise until `stop()` or until no child is left to run.

        Args:
            on_ready: called once every child has signalled ready.
            on_failure: called as soon as the supervisor gives up, before it stops the
                children (which a child ignoring cancellation could hold up for good).

        Raises:
            StartError: a child failed to start; the started ones were stopped.
            EscalationError: the restart intensity was exceeded; the children were stopped.
        """
        failure: SupervisorError | None = None
        async with asyncio.TaskGroup() as group:
            self._group = group
            try:
                for spec in self._specs:
                    if self._stop_requested.is_set():
                        break
                    if (error := await self._start(spec)) is not None:
                        raise StartError(f"child {spec.name!r} failed to start: {error}")
                if on_ready is not None and not self._stop_requested.is_set():
                    on_ready()
                await self._supervise()
                await self._stop_gracefully()
            except SupervisorError as exc:
                failure = exc
                if on_failure is not None:
                    on_failure(exc)
                await self._cancel_all()
            except asyncio.CancelledError:
                await self._cancel_all()
                raise
        if failure is not None:
            raise failure

    async def _supervise(self) -> None:
        while self._running and not self._stop_requested.is_set():
            message = await self._exits.get()
            if message is None:
                return
            if self._running.get(message.spec.name) is message:  # not a stale exit
                await self._handle_exit(message)

    async def _start(self, spec: ChildSpec) -> BaseException | None:
        """Start one child and wait for its ready signal; return the error if it failed.

        A failed child stays registered with its exit message queued, so a failed restart
        counts against the restart intensity like any other exit.
        """
        if self._group is None:
            raise RuntimeError(f"{self.name} is not running; children start inside run()")
        running = _Running(spec, Child(spec.name))
        self._running[spec.name] = running
        task = self._group.create_task(self._guard(running), name=f"{self.name}/{spec.name}")
        running.task = task
        try:
            async with asyncio.timeout(self._ready_timeout):
                await asyncio.wait({running.child._ready, task}, return_when="FIRST_COMPLETED")
        except TimeoutError:
            await self._terminate(running)
            running.error = TimeoutError(f"no ready signal within {self._ready_timeout}s")
            self._exits.put_nowait(running)
        # A child that crashes right after its ready signal started fine: that is a crash.
        return None if running.child._ready.done() else running.error

    async def _guard(self, running: _Running) -> None:
        name = running.spec.name
        try:
            await running.spec.start(running.child)
        except Exception as exc:  # noqa: BLE001 - a crash is reported, never swallowed
            running.error = exc
            event(logger, "child_crashed", level=logging.ERROR, exc_info=exc, child=name)
        else:
            event(logger, "child_exited", level=logging.DEBUG, child=name)
        self._exits.put_nowait(running)

    async def _handle_exit(self, running: _Running) -> None:
        spec = running.spec
        crashed = running.error is not None
        restart = spec.restart is Restart.PERMANENT or (
            spec.restart is Restart.TRANSIENT and crashed
        )
        if self._stop_requested.is_set() or not restart:
            self._running.pop(spec.name, None)
            return
        index = self._specs.index(spec)
        if self._strategy is Strategy.ONE_FOR_ONE:
            affected = [spec]
        elif self._strategy is Strategy.ONE_FOR_ALL:
            affected = list(self._specs)
        else:
            affected = list(self._specs[index:])
        await self._backoff(spec.name)
        for other in reversed(affected):
            if other is not spec and (sibling := self._running.get(other.name)) is not None:
                await self._terminate(sibling)
                self._running.pop(other.name, None)
        self._running.pop(spec.name, None)
        for other in affected:
            if self._stop_requested.is_set():
                return
            if other is not spec and other.restart is Restart.TEMPORARY:
                continue  # OTP: a temporary child is never restarted, not even with its siblings
            event(logger, "child_restarting", level=logging.WARNING, child=other.name)
            self.restarts[other.name] += 1
            if await self._start(other) is not None:
                return

    async def _backoff(self, name: str) -> None:
        """Count a restart against the intensity window, then wait with exponential backoff."""
        now = time.monotonic()
        while self._restarts and now - self._restarts[0] > self._max_seconds:
            self._restarts.popleft()
        if len(self._restarts) >= self._max_restarts:
            raise EscalationError(
                f"child {name!r} exited {len(self._restarts) + 1} times within "
                f"{self._max_seconds}s (max_restarts={self._max_restarts}); giving up"
            )
        self._restarts.append(now)
        self.restart_count += 1
        delay = backoff_delay(len(self._restarts), self._backoff_initial, self._backoff_max)
        try:
            async with asyncio.timeout(delay):
                await self._stop_requested.wait()
        except TimeoutError:
            pass

    async def _stop_gracefully(self) -> None:
        for running in reversed(list(self._running.values())):
            running.child.stopping.set()
            if running.task is not None and not running.task.done():
                await asyncio.wait({running.task})
        self._running.clear()

    async def _cancel_all(self) -> None:
        for running in reversed(list(self._running.values())):
            await self._terminate(running)
        self._running.clear()

    async def _terminate(self, running: _Running) -> None:
        """Set the child's `stopping`, cancel it, and give it its cancel timeout to end."""
        running.child.stopping.set()
        task = running.task
        if task is None or task.done():
            return
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=self._cancel_timeout)
        if not done and first_report(task):
            event(
                logger,
                "child_ignores_cancel",
                level=logging.ERROR,
                child=running.spec.name,
                stack=stack_of(task),
            )
