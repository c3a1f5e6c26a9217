"""Signals seen on arrival by a thread, and the hard deadline that thread enforces.

Design note. A handler from `loop.add_signal_handler` runs only when the loop gets round to
it, and a Python-level handler only when the main thread next runs bytecode: a job blocking
the loop in `time.sleep`, a blocking read or a C call that retries its system call would
delay both, and the hard deadline with them. So the handlers installed here are no-ops that
only keep the default actions away, and the byte the C-level handler writes to the wakeup fd
(`signal.set_wakeup_fd`) goes to a pipe that this thread reads: it sees each signal as it
arrives, whatever the main thread is doing, starts the deadline from that moment and hands
the signal to the loop with `call_soon_threadsafe`. Bytes are forwarded to the wakeup fd set
before (uvloop's, or asyncio's when it handles a signal itself), so nobody misses a signal.

Nothing runs inside a signal handler, so nothing can deadlock on a lock the main thread was
holding when the signal came. At the deadline the thread calls `on_expiry` (the last log
lines) in a helper thread that it waits for at most `LAST_WORDS_SECONDS`, because a log handler
stuck behind the main thread must not keep the process alive, then calls `os._exit`.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

LAST_WORDS_SECONDS = 1.0
_WAKE = b"\0"  # not a signal number: "look at the state again"


class Watchdog:
    """A thread that receives signals as they arrive and, once armed, ends the process on time.

    Args:
        deliver: called on the loop (via `call_soon_threadsafe`) with each signal's number.
        arming: the signals whose arrival arms the deadline, with exit code 128 + signum.
        budget: returns the seconds from arming to the forced exit; read again on every wake,
            so a budget that grows after arming (more resources opened) is honoured.
        on_expiry: writes the last log lines, given the exit code; runs on a helper thread.
    """

    def __init__(
        self,
        deliver: Callable[[int], None],
        *,
        arming: Sequence[int],
        budget: Callable[[], float],
        on_expiry: Callable[[int], None],
    ) -> None:
        self._deliver = deliver
        self._arming = frozenset(arming)
        self._budget = budget
        self._on_expiry = on_expiry
        self._lock = threading.Lock()  # never taken in a signal handler: none runs here
        self._read = self._write = -1
        self._previous_fd = -1
        self._previous_handlers: dict[int, Any] = {}
        self._send: Callable[[Callable[[int], None], int], object] | None = None
        self._listening = False
        self._closed = False  # no more arming: disarmed, or the thread has ended
        self._pipe_open = False
        self.armed_at: float | None = None
        self.exit_code = 1
        self._thread = threading.Thread(target=self._watch, name="hard-deadline", daemon=True)

    def listen(
        self, signals: Sequence[int], send: Callable[[Callable[[int], None], int], object]
    ) -> None:
        """Take over `signals` (main thread only) until `release()`; start the thread.

        Args:
            signals: the signals to receive.
            send: schedules a call on the loop, e.g. `loop.call_soon_threadsafe`.
        """
        self._send = send
        self._read, self._write = os.pipe()
        for fd in (self._read, self._write):
            os.set_blocking(fd, False)
        self._pipe_open = True
        for signum in signals:
            self._previous_handlers[signum] = signal.signal(signum, _ignore)
        self._previous_fd = signal.set_wakeup_fd(self._write)
        self._listening = True
        self._thread.start()

    def release(self) -> None:
        """Give the signals back (main thread only). An armed deadline stays armed."""
        if not self._listening:
            return
        self._listening = False
        signal.set_wakeup_fd(self._previous_fd)
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._poke()

    def arm(self, exit_code: int) -> None:
        """Start the deadline now, unless it is already running (the first arming counts)."""
        with self._lock:
            if self.armed_at is None and not self._closed:
                self.armed_at = time.monotonic()
                self.exit_code = exit_code
        self._poke()

    def disarm(self) -> None:
        """Never exit: the process is about to exit on its own. Ends the thread once released."""
        with self._lock:
            self.armed_at = None
            self._closed = True
        self._poke()

    def _poke(self) -> None:
        with self._lock:
            if self._pipe_open:
                with contextlib.suppress(BlockingIOError):  # full of wake-ups already
                    os.write(self._write, _WAKE)

    def _watch(self) -> None:
        try:
            while True:
                with self._lock:
                    armed_at = self.armed_at
                if armed_at is None and not self._listening:
                    return  # the wakeup fd is given back: no signal can write to the pipe
                timeout = None
                if armed_at is not None:
                    timeout = armed_at + self._budget() - time.monotonic()
                    if timeout <= 0:
                        self._expire()
                readable, _, _ = select.select([self._read], [], [], timeout)
                if not readable:
                    continue  # the deadline passed, or the budget grew: look again
                try:
                    received = os.read(self._read, 512)
                except BlockingIOError:
                    continue
                for signum in received:
                    if signum:
                        self._receive(signum)
        finally:
            with self._lock:
                self._closed = True
                self._pipe_open = False
                os.close(self._read)
                os.close(self._write)

    def _receive(self, signum: int) -> None:
        if self._previous_fd >= 0:
            with contextlib.suppress(OSError):  # its owner closed it or is not reading
                os.write(self._previous_fd, bytes([signum]))
        if signum in self._arming:
            self.arm(128 + signum)
        with contextlib.suppress(RuntimeError):  # the loop has closed; the deadline holds
            if self._send is not None:
                self._send(self._deliver, signum)

    def _expire(self) -> None:
        last_words = threading.Thread(
            target=self._on_expiry, args=(self.exit_code,), name="last-words", daemon=True
        )
        last_words.start()
        last_words.join(LAST_WORDS_SECONDS)
        os._exit(self.exit_code)


def _ignore(signum: int, frame: object) -> None:
    """The Python-level handler: the work happens on the watchdog thread."""
