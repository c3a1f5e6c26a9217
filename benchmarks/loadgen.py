"""A small HTTP/1.1 load generator for 127.0.0.1: keep-alive connections, bounded in count
and time, that time every request. Raw asyncio streams, so it needs nothing installed and
costs the same against any server."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass

HOST = "127.0.0.1"


class LoadError(Exception):
    """The server answered something other than 200, or not in time."""


@dataclass(frozen=True)
class Load:
    """What one load round measured."""

    seconds: float
    latencies: tuple[float, ...]

    @property
    def rate(self) -> float:
        """Requests a second."""
        return len(self.latencies) / self.seconds

    @property
    def p99(self) -> float:
        """The 99th percentile latency in seconds (nearest rank)."""
        return percentile(self.latencies, 99)


def percentile(samples: tuple[float, ...] | list[float], pct: float) -> float:
    """The nearest-rank percentile: the smallest sample with `pct`% of them at or below it.

    Raises:
        ValueError: no samples.
    """
    if not samples:
        raise ValueError("no samples for a percentile")
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one response (Content-Length or chunked body); return its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return int(status_line.split(" ", 2)[1])


async def hammer(
    port: int,
    path: str,
    *,
    requests: int,
    connections: int,
    seconds: float,
    request_timeout: float = 5.0,
) -> Load:
    """Send up to `requests` GETs of `path` over `connections` keep-alive connections, for
    at most `seconds`; return how long it took and each request's latency.

    Raises:
        LoadError: a response was not 200 or took longer than `request_timeout`.
    """
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    latencies: list[float] = []
    left = requests
    stop_at = time.perf_counter() + seconds

    async def connection() -> None:
        nonlocal left
        async with asyncio.timeout(request_timeout):
            reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while left > 0 and time.perf_counter() < stop_at:
                left -= 1
                began = time.perf_counter()
                writer.write(request)
                try:
                    async with asyncio.timeout(request_timeout):
                        status = await read_response(reader)
                except TimeoutError:
                    raise LoadError(f"GET {path} took over {request_timeout:g}s") from None
                latencies.append(time.perf_counter() - began)
                if status != 200:
                    raise LoadError(f"GET {path} answered {status}, not 200")
        finally:
            writer.close()
            await writer.wait_closed()

    began = time.perf_counter()
    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(connections):
                group.create_task(connection())
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from failed  # the first failure says what went wrong
    return Load(time.perf_counter() - began, tuple(latencies))


async def wait_until_answering(port: int, path: str, seconds: float) -> None:
    """Return once GET `path` answers 200; keep trying for `seconds`.

    Raises:
        LoadError: it did not within `seconds`.
    """
    deadline = time.perf_counter() + seconds
    last: Exception | None = None
    while time.perf_counter() < deadline:
        try:
            await hammer(port, path, requests=1, connections=1, seconds=1, request_timeout=1)
        except (OSError, LoadError, asyncio.IncompleteReadError) as exc:
            last = exc
            await asyncio.sleep(0.05)
        else:
            return
    raise LoadError(f"GET {path} on port {port} did not answer 200 within {seconds:g}s: {last}")
