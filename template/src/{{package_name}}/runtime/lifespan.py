"""Resources opened in order on one AsyncExitStack and closed in reverse, on every path.

Design note. Opening and closing both have deadlines: a database that never answers must not
hang the start, and one that hangs on close must not eat the time the other resources need to
close. So each resource is entered under its open timeout (retrying the errors it names, with
backoff, until that timeout), and its exit runs under its own close timeout. A close that
fails or times out is logged and the next one still runs: the stack always unwinds fully.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from functools import partial
from types import TracebackType
from typing import Self, TypeVar

from .backoff import backoff_delay
from .breaker import Breakers
from .logs import event

logger = logging.getLogger(__name__)

T = TypeVar("T")
Opener = AbstractAsyncContextManager[T] | Callable[[], AbstractAsyncContextManager[T]]


class ResourceError(Exception):
    """A resource could not be opened within its open timeout."""


class Lifespan:
    """The resources of one service run.

    Args:
        open_timeout: default deadline for opening one resource, retries included.
        close_timeout: default deadline for closing one resource.
        retry_initial: first delay between open attempts, doubled for each next one.
        retry_max: the cap of that delay.
        breakers: where the breaker of each resource opened with a `check` goes.
    """

    def __init__(
        self,
        *,
        open_timeout: float = 10.0,
        close_timeout: float = 5.0,
        retry_initial: float = 0.1,
        retry_max: float = 2.0,
        breakers: Breakers | None = None,
    ) -> None:
        self._open_timeout = open_timeout
        self._close_timeout = close_timeout
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._stack = AsyncExitStack()
        self.breakers = Breakers() if breakers is None else breakers
        self.opened: list[str] = []
        # What each resource's opener returned, by name: the metrics read a backlog from
        # those that report one.
        self.resources: dict[str, object] = {}
        self.closed: list[str] = []

    async def __aenter__(self) -> Self:
        await self._stack.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        return await self._stack.__aexit__(exc_type, exc, tb)

    async def enter(
        self,
        name: str,
        opener: Opener[T],
        *,
        open_timeout: float | None = None,
        close_timeout: float | None = None,
        retry_on: tuple[type[Exception], ...] = (),
        check: Callable[[T], Awaitable[object]] | None = None,
        transient: tuple[type[Exception], ...] = (),
    ) -> T:
        """Open a resource now and close it, in reverse order, when the lifespan ends.

        Args:
            name: the resource's name in log lines.
            opener: an async context manager, or a function returning a new one for each
                attempt (needed with `retry_on`).
            open_timeout: this resource's open deadline, retries included.
            close_timeout: this resource's close deadline.
            retry_on: errors that mean "not up yet": retried with backoff until the deadline.
            check: a cheap request the open resource answers when it is up (PING, SELECT 1);
                with it the resource gets a circuit breaker (see `Breakers`).
            transient: the errors that mean "down for now" once it is open: the work retries
                them, and they make the breaker run `check`.

        Raises:
            ResourceError: it did not open within the deadline, or failed with an error not
                in `retry_on`; already-open resources stay open until the lifespan ends,
                which closes them in reverse order.
        """
        # Async context managers may be callable too (as decorators): test for one first.
        if isinstance(opener, AbstractAsyncContextManager):
            if retry_on:
                raise TypeError(f"resource {name!r}: retry_on needs a function that opens anew")
            factory: Callable[[], AbstractAsyncContextManager[T]] = lambda: opener  # noqa: E731
        else:
            factory = opener
        deadline = self._open_timeout if open_timeout is None else open_timeout
        started = time.monotonic()
        attempt = 0
        last_error: Exception | None = None
        try:
            async with asyncio.timeout(deadline):
                while True:
                    try:
                        manager = factory()
                        value = await manager.__aenter__()
                        break
                    except retry_on as exc:
                        attempt += 1
                        last_error = exc
                        event(
                            logger,
                            "resource_retry",
                            level=logging.WARNING,
                            resource=name,
                            attempt=attempt,
                            error=repr(exc),
                        )
                        await asyncio.sleep(
                            backoff_delay(attempt, self._retry_initial, self._retry_max)
                        )
        except TimeoutError:
            reason = f"last error: {last_error!r}" if last_error else "no answer"
            raise ResourceError(
                f"resource {name!r} did not open within {deadline}s ({reason})"
            ) from last_error
        except Exception as exc:
            # Not a "not up yet" error (a bad password, a missing file): retrying cannot help.
            raise ResourceError(f"resource {name!r} failed to open: {exc!r}") from exc
        self._stack.push_async_exit(self._closer(name, manager, close_timeout))
        self.opened.append(name)
        self.resources[name] = value
        if check is not None:
            self.breakers.add(name, partial(check, value), transient)
        event(logger, "resource_open", resource=name, seconds=round(time.monotonic() - started, 3))
        return value

    def _closer(
        self, name: str, manager: AbstractAsyncContextManager[object], timeout: float | None
    ) -> Callable[
        [type[BaseException] | None, BaseException | None, TracebackType | None],
        Awaitable[bool],
    ]:
        limit = self._close_timeout if timeout is None else timeout

        async def close(
            exc_type: type[BaseException] | None,
            exc: BaseException | None,
            tb: TracebackType | None,
        ) -> bool:
            try:
                async with asyncio.timeout(limit):
                    await manager.__aexit__(exc_type, exc, tb)
            except TimeoutError:
                event(
                    logger,
                    "resource_close_timeout",
                    level=logging.ERROR,
                    resource=name,
                    seconds=limit,
                )
            except Exception as error:  # noqa: BLE001 - logged; the others must still close
                event(
                    logger,
                    "resource_close_failed",
                    level=logging.ERROR,
                    exc_info=error,
                    resource=name,
                )
            else:
                event(logger, "resource_closed", resource=name)
            self.closed.append(name)
            return False

        return close
