"""peers: the generated redis-streams service beside the worker frameworks users would pick instead.

Method. Each peer is installed from PyPI into its own throwaway venv (`uv venv`, `uv pip install`
of the pinned versions in `PEERS`) on the rendered service's interpreter, and run as its docs
say: `saq MODULE.settings`, `arq MODULE.WorkerSettings`, `taskiq worker MODULE:broker --workers 1`
(a supervising process and one worker), `faststream run MODULE:app`. The service is the
`redis=true, work_source=redis-streams` variant, started as `python -m PACKAGE` with the example
job's body swapped for the same job (scripts/peers/service_jobs.py). Every system runs one process
of workers at concurrency 10 (the service's WORKER_CONCURRENCY, saq's `concurrency`, arq's
`max_jobs`, taskiq's `--max-async-tasks`, FastStream's `max_workers`), on asyncio's loop, against
the same local Redis; everything else is the system's default (for the service: QUEUE_SIZE=100,
claim idle 30 s; EXAMPLE_RATE=0 and no example report, so only the benchmark's jobs run).

The job is one Redis write, `HINCRBY <prefix>:done <job id> 1`, after `asyncio.sleep(work)` when
work > 0, so every job leaves its id and the number of times it ran. Each run has a fresh prefix
that every key, stream, queue, group and job id holds; its keys are deleted after the run.

Jobs are queued before the worker starts; two systems would skip them: taskiq's stream broker and
FastStream create their consumer group at `$` (only entries added later), so the harness creates
the group first at `0` (what they do when the group exists: take it as it is). saq, arq and the
service need nothing (the service creates its group at `0` itself).

Figures, each measured `Plan.peers` times (startup and memory `Plan.peers_lifecycle` times a
round), every system in turn, the one going first rotating from one pass to the next:
- startup (spawn to the first `event=ready` line, printed by each system's startup hook) and
  idle memory (VmRSS of the process and all its descendants, `SETTLE` s after ready), from a
  start with nothing queued; SIGTERM then;
- no-op jobs/s: 10,000 jobs queued (2,000 with --quick), the rate from ready to the last
  recorded write, counting only the jobs not already done at ready;
- 10 ms jobs/s: the same with 1,000 jobs (300) of `asyncio.sleep(0.01)` (ceiling 1,000 jobs/s);
- SIGTERM under load: 500 jobs of 200 ms queued, SIGTERM `KILL_AFTER` s after ready, the time to
  exit (killed after `EXIT_LIMIT` s), then a fresh worker runs until every job ran or `QUIET` s
  pass without one more. Then: stranded = ids never recorded that a worker could still be given
  (a queued job, a stream entry pending with some consumer or not yet delivered to the group);
  lost = ids never recorded and not held so (gone, or acknowledged without running);
  duplicated = runs beyond the first. The service's own recovery of a dead consumer's pending
  entries waits REDIS_CLAIM_IDLE (30 s), taskiq's `idle_timeout` (10 min): longer than `QUIET`.

Each figure is a row: the service's median beside the best peer's, ratio = service / best peer
(for "lower is better" figures ratio <= 1 means the service leads), target: lead or tie. The
note gives each peer's median. A peer that cannot be installed or run is left out of the best,
its failure said in the notes, and the run goes on.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from tests.project import clean_env

from .plan import Plan
from .process import BenchmarkError, Child, without_bytecode_switch
from .report import number
from .rows import Row, Target, skipped
from .stats import summarize
from .workspace import SCRIPTS, Project, Workspace

T = TypeVar("T")
PEER_SCRIPTS = SCRIPTS / "peers"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/0"
CONCURRENCY = 10
SERVICE = "service"
SETTLE = 0.5
READY_TIMEOUT = 60.0
EXIT_LIMIT = 30.0
KILL_AFTER = 1.0
SIGTERM_JOBS = 500
SIGTERM_WORK = 0.2
IO_WORK = 0.01
QUIET = 5.0
RUN_LIMIT = 300.0


@dataclass(frozen=True)
class Peer:
    """A framework measured beside the service: what to install and how to start its worker."""

    name: str
    requirements: tuple[str, ...]
    module: str  # scripts/peers/<module>.py
    command: tuple[str, ...]  # the worker, from the venv's bin; MODULE stands for the module
    stream_group: bool = False  # its consumer group is created by the harness at 0

    @property
    def versions(self) -> str:
        return " + ".join(self.requirements)


# saq 0.26.4 imports typing_extensions on Python 3.11 without requiring it, and needs its redis
# extra for a Redis queue; FastStream's `faststream run` needs its cli extra.
PEERS = (
    Peer(
        "saq", ("saq[redis]==0.26.4", "typing-extensions"), "saq_jobs", ("saq", "MODULE.settings")
    ),
    Peer("arq", ("arq==0.28.0",), "arq_jobs", ("arq", "MODULE.WorkerSettings")),
    Peer(
        "taskiq",
        ("taskiq==0.13.0", "taskiq-redis==1.2.4"),
        "taskiq_jobs",
        ("taskiq", "worker", "MODULE:broker", "--workers", "1", "--max-async-tasks", "10"),
        stream_group=True,
    ),
    Peer(
        "FastStream",
        ("faststream[redis,cli]==0.7.8",),
        "faststream_jobs",
        ("faststream", "run", "MODULE:app"),
        stream_group=True,
    ),
)


# --- a minimal Redis client: the harness's own Python has no redis package ------------------


class Redis:
    """RESP2 over one socket: enough for counting records, queueing and cleaning up."""

    def __init__(self, host: str = REDIS_HOST, port: int = REDIS_PORT) -> None:
        self._socket = socket.create_connection((host, port), timeout=30)
        self._buffer = b""

    def close(self) -> None:
        self._socket.close()

    def call(self, *args: str | bytes | int) -> object:
        (reply,) = self.pipeline([args])
        return reply

    def pipeline(self, commands: Sequence[Sequence[str | bytes | int]]) -> list[object]:
        """Send every command, then read every reply; a reply that is an error is raised."""
        self._socket.sendall(b"".join(encode(command) for command in commands))
        replies = [self._read() for _ in commands]
        for reply in replies:
            if isinstance(reply, RedisError):
                raise reply
        return replies

    def _read(self) -> object:
        while True:
            try:
                reply, self._buffer = parse(self._buffer)
                return reply
            except IncompleteReply:
                chunk = self._socket.recv(1 << 20)
                if not chunk:
                    raise BenchmarkError("Redis closed the connection") from None
                self._buffer += chunk


class RedisError(BenchmarkError):
    """An error reply."""


class IncompleteReply(Exception):
    """The buffer ends before the reply does."""


def encode(command: Sequence[str | bytes | int]) -> bytes:
    """A command as a RESP array of bulk strings."""
    parts = [b"*%d\r\n" % len(command)]
    for arg in command:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def parse(buffer: bytes) -> tuple[object, bytes]:  # noqa: PLR0911 - one return a kind
    """The first RESP2 reply in `buffer` and what follows it.

    Raises:
        IncompleteReply: the buffer holds only part of a reply.
    """
    end = buffer.find(b"\r\n")
    if end < 0:
        raise IncompleteReply
    kind, line, rest = buffer[:1], buffer[1:end], buffer[end + 2 :]
    if kind == b"+":
        return line.decode(), rest
    if kind == b"-":
        return RedisError(line.decode()), rest
    if kind == b":":
        return int(line), rest
    if kind == b"$":
        size = int(line)
        if size < 0:
            return None, rest
        if len(rest) < size + 2:
            raise IncompleteReply
        return rest[:size], rest[size + 2 :]
    if kind == b"*":
        count = int(line)
        if count < 0:
            return None, rest
        items: list[object] = []
        for _ in range(count):
            item, rest = parse(rest)
            items.append(item)
        return items, rest
    raise BenchmarkError(f"not a RESP2 reply: {buffer[:40]!r}")


def flatten(reply: object) -> bytes:
    """Every string in a reply, joined: where a job id is looked for."""
    if isinstance(reply, bytes):
        return reply + b"\n"
    if isinstance(reply, list):
        return b"".join(flatten(item) for item in reply)
    return str(reply).encode() + b"\n"


DUMP = {
    "string": ("GET",),
    "list": ("LRANGE", "0", "-1"),
    "set": ("SMEMBERS",),
    "zset": ("ZRANGE", "0", "-1"),
    "hash": ("HGETALL",),
    "stream": ("XRANGE", "-", "+"),
}


def keys_of(redis: Redis, prefix: str) -> list[bytes]:
    """Every key holding `prefix` anywhere in its name."""
    found: list[bytes] = []
    cursor = b"0"
    while True:
        reply = redis.call("SCAN", cursor, "MATCH", f"*{prefix}*", "COUNT", 1000)
        assert isinstance(reply, list)
        cursor, batch = reply
        assert isinstance(batch, list)
        found += [key for key in batch if isinstance(key, bytes)]
        if cursor == b"0":
            return found


def held(redis: Redis, prefix: str, skip: str) -> bytes:
    """What the run's keys but `skip` still hold for a worker to run, where job ids are looked
    for: every value, except that of a stream read by a consumer group only the entries still
    pending or not yet delivered (an entry stays in the stream once acknowledged)."""
    contents: list[bytes] = []
    for key in keys_of(redis, prefix):
        if key == skip.encode():
            continue
        kind = redis.call("TYPE", key)
        if kind == "stream":
            contents.append(key + b"\n" + flatten(stream_held(redis, key)))
        elif isinstance(kind, str) and kind in DUMP:
            command, *args = DUMP[kind]
            contents.append(key + b"\n" + flatten(redis.call(command, key, *args)))
    return b"".join(contents)


def stream_held(redis: Redis, key: bytes) -> list[object]:
    """A stream's entries pending in, or not yet delivered to, any of its consumer groups;
    all of them when it has no group."""
    groups = redis.call("XINFO", "GROUPS", key)
    assert isinstance(groups, list)
    if not groups:
        return [redis.call("XRANGE", key, "-", "+")]
    found: list[object] = []
    for group in groups:
        assert isinstance(group, list)
        info = dict(zip(group[::2], group[1::2], strict=True))
        name, last = info[b"name"], info[b"last-delivered-id"]
        assert isinstance(name, bytes)
        assert isinstance(last, bytes)
        found.append(redis.call("XRANGE", key, b"(" + last, "+"))
        pending = redis.call("XPENDING", key, name, "-", "+", 1_000_000)
        assert isinstance(pending, list)
        for entry in pending:
            assert isinstance(entry, list)
            assert isinstance(entry[0], bytes)
            found.append(redis.call("XRANGE", key, entry[0], entry[0]))
    return found


# --- counting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What became of the jobs of a SIGTERM test."""

    lost: int
    duplicated: int
    stranded: int


def outcome(prefix: str, expected: Sequence[str], runs: Mapping[str, int], text: bytes) -> Outcome:
    """Count lost, duplicated and stranded jobs.

    Args:
        prefix: the run's prefix, which every job id starts with.
        expected: every job id queued.
        runs: how many times each recorded job ran.
        text: what the system still holds for a worker (`held`), where an id may appear.
    """
    missing = [ident for ident in expected if runs.get(ident, 0) == 0]
    found = set(re.findall(re.escape(prefix.encode()) + rb"-j\d{6}(?!\d)", text))
    stranded = sum(ident.encode() in found for ident in missing)
    return Outcome(
        lost=len(missing) - stranded,
        duplicated=sum(max(0, count - 1) for count in runs.values()),
        stranded=stranded,
    )


def job_ids(prefix: str, count: int) -> list[str]:
    """The ids the job scripts give (scripts/peers/common.py)."""
    return [f"{prefix}-j{number:06d}" for number in range(count)]


# --- the systems ------------------------------------------------------------------------------


@dataclass
class System:
    """One system ready to run: how to start its worker and queue jobs."""

    name: str
    versions: str
    worker: Callable[[], list[str]]
    enqueue: Callable[[str, int, dict[str, str]], None]
    env: Callable[[str, float], dict[str, str]]
    cwd: Path
    stream_group: bool = False
    failure: str = ""


def peer_env(prefix: str, work: float) -> dict[str, str]:
    base = without_bytecode_switch(clean_env())
    return base | {
        "PEER_PREFIX": prefix,
        "PEER_WORK_SECONDS": str(work),
        "PEER_REDIS_URL": REDIS_URL,
        "PYTHONPATH": str(PEER_SCRIPTS),
    }


def install(workspace: Workspace, peer: Peer, python: Path) -> System:
    """A venv with the peer in it.

    Raises:
        BenchmarkError: uv failed.
    """
    venv = workspace.fresh_dir(f"peer-{peer.name}") / "venv"
    for argv in (
        ["uv", "venv", "--quiet", "--python", str(python), str(venv)],
        [
            "uv",
            "pip",
            "install",
            "--quiet",
            "--python",
            str(venv / "bin" / "python"),
            *peer.requirements,
        ],
        [str(venv / "bin" / "python"), "-m", "compileall", "-q", "-j", "0", str(venv)],
    ):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines() or ["(no output)"]
            raise BenchmarkError(f"`{' '.join(argv[:3])}` failed: {lines[-1]}")
    bin_dir = venv / "bin"
    command = [word.replace("MODULE", peer.module) for word in peer.command]

    def enqueue(prefix: str, count: int, env: dict[str, str]) -> None:
        script = str(PEER_SCRIPTS / f"{peer.module}.py")
        done = subprocess.run(
            [str(bin_dir / "python"), script, "enqueue", str(count)],
            env=env,
            cwd=PEER_SCRIPTS,
            capture_output=True,
            text=True,
            timeout=RUN_LIMIT,
            check=False,
        )
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines() or ["(no output)"]
            raise BenchmarkError(f"queueing {peer.name} jobs failed: {lines[-1]}")

    return System(
        peer.name,
        peer.versions,
        lambda: [str(bin_dir / command[0]), *command[1:]],
        enqueue,
        peer_env,
        PEER_SCRIPTS,
        peer.stream_group,
    )


def service_system(project: Project) -> System:
    def env(prefix: str, work: float) -> dict[str, str]:
        return project.env(
            worker_concurrency=CONCURRENCY,
            example_rate=0,
            example_report_seconds=0,
            example_work_seconds=work,
            redis_url=REDIS_URL,
            redis_stream=f"{prefix}:jobs",
            redis_group=prefix,
            probe_port=0,
        ) | {"PEER_PREFIX": prefix, "PEER_WORK_SECONDS": str(work), "PEER_REDIS_URL": REDIS_URL}

    def enqueue(prefix: str, count: int, env: dict[str, str]) -> None:
        redis = Redis()
        try:
            ids = job_ids(prefix, count)
            for start in range(0, count, 1000):
                redis.pipeline(
                    [
                        ("XADD", f"{prefix}:jobs", "*", "payload", i)
                        for i in ids[start : start + 1000]
                    ]
                )
        finally:
            redis.close()

    return System(
        SERVICE,
        "generated redis-streams variant",
        lambda: project.script("peers/service_jobs.py", project.package),
        enqueue,
        env,
        project.path,
    )


# --- one run ----------------------------------------------------------------------------------


def rss_tree(pid: int) -> float:
    """The resident set of `pid` and all its descendants, in MiB."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text(encoding="utf-8")
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue  # it exited meanwhile
    return total


@dataclass
class Run:
    system: System
    prefix: str = field(default_factory=lambda: f"bench-peers-{os.getpid()}-{secrets.token_hex(4)}")

    def __post_init__(self) -> None:
        self.redis = Redis()

    def prepare(self, jobs: int, work: float) -> dict[str, str]:
        env = self.system.env(self.prefix, work)
        if self.system.stream_group:
            self.redis.call("XGROUP", "CREATE", self.prefix, self.prefix, "0", "MKSTREAM")
        if jobs:
            self.system.enqueue(self.prefix, jobs, env)
        return env

    def done(self) -> int:
        count = self.redis.call("HLEN", f"{self.prefix}:done")
        assert isinstance(count, int)
        return count

    def runs(self) -> dict[str, int]:
        reply = self.redis.call("HGETALL", f"{self.prefix}:done")
        assert isinstance(reply, list)
        pairs = zip(reply[::2], reply[1::2], strict=True)
        return {
            bytes(k).decode(): int(bytes(v))
            for k, v in pairs
            if isinstance(k, bytes) and isinstance(v, bytes)
        }

    def start(self, env: dict[str, str]) -> Child:
        return Child(self.system.worker(), env, cwd=self.system.cwd)

    def wait_until(self, child: Child, jobs: int, quiet: float, limit: float) -> float:
        """Wait until `jobs` are recorded, or `quiet` s pass without one more; return when the
        last one that came was seen."""
        began = last_at = time.perf_counter()
        last = self.done()
        while last < jobs:
            child.take_output()
            time.sleep(0.01)
            now = time.perf_counter()
            count = self.done()
            if count != last:
                last, last_at = count, now
            elif now - last_at > quiet or now - began > limit:
                break
        return last_at

    def stop(self, child: Child) -> float:
        """SIGTERM, and the seconds to exit (killed at EXIT_LIMIT, counted as EXIT_LIMIT)."""
        sent = child.signal(signal.SIGTERM)
        try:
            exited_at, _ = child.wait_exit(EXIT_LIMIT)
        except BenchmarkError:
            child.close()
            return EXIT_LIMIT
        return exited_at - sent

    def clean(self) -> None:
        keys = keys_of(self.redis, self.prefix)
        for start in range(0, len(keys), 500):
            self.redis.call("DEL", *keys[start : start + 500])
        self.redis.close()


def lifecycle(system: System) -> tuple[float, float, float]:
    """Seconds from spawn to ready, idle MiB (all processes), seconds from SIGTERM to exit."""
    run = Run(system)
    try:
        env = run.prepare(0, 0)
        with run.start(env) as child:
            ready_at, _ = child.wait_for("ready", READY_TIMEOUT)
            time.sleep(SETTLE)
            child.take_output()
            rss = rss_tree(child.pid)
            return ready_at - child.started, rss, run.stop(child)
    finally:
        run.clean()


def rate(system: System, jobs: int, work: float) -> float:
    """Jobs a second from ready until the last of `jobs` queued jobs is recorded.

    Raises:
        BenchmarkError: not every job ran.
    """
    run = Run(system)
    try:
        env = run.prepare(jobs, work)
        with run.start(env) as child:
            ready_at, _ = child.wait_for("ready", READY_TIMEOUT)
            before = run.done()
            last_at = run.wait_until(child, jobs, QUIET, RUN_LIMIT)
            finished = run.done()
            run.stop(child)
        if finished < jobs:
            raise BenchmarkError(f"{system.name}: {finished} of {jobs} jobs ran")
        return (jobs - before) / max(last_at - ready_at, 1e-6)
    finally:
        run.clean()


@dataclass(frozen=True)
class Interrupted:
    exit_seconds: float
    outcome: Outcome


def interrupted(system: System) -> Interrupted:
    """SIGTERM under load, then a fresh worker: see the module's note."""
    run = Run(system)
    try:
        env = run.prepare(SIGTERM_JOBS, SIGTERM_WORK)
        with run.start(env) as child:
            ready_at, _ = child.wait_for("ready", READY_TIMEOUT)
            while time.perf_counter() < ready_at + KILL_AFTER:
                child.take_output()
                time.sleep(0.01)
            exit_seconds = run.stop(child)
        with run.start(env) as fresh:
            fresh.wait_for("ready", READY_TIMEOUT)
            run.wait_until(fresh, SIGTERM_JOBS, QUIET, RUN_LIMIT)
            run.stop(fresh)
        text = held(run.redis, run.prefix, f"{run.prefix}:done")
        return Interrupted(
            exit_seconds, outcome(run.prefix, job_ids(run.prefix, SIGTERM_JOBS), run.runs(), text)
        )
    finally:
        run.clean()


# --- rows -------------------------------------------------------------------------------------

Better = Literal["higher", "lower"]


@dataclass(frozen=True)
class Figure:
    name: str
    unit: str
    better: Better
    note: str


FIGURES = (
    Figure("startup", "s", "lower", "spawn to ready"),
    Figure("idle memory", "MiB", "lower", f"RSS of all its processes {SETTLE:g}s after ready"),
    Figure("no-op jobs", "jobs/s", "higher", "queued before the start, from ready"),
    Figure("10 ms jobs", "jobs/s", "higher", "asyncio.sleep(0.01) + the write; ceiling 1,000"),
    Figure(
        "SIGTERM to exit, busy",
        "s",
        "lower",
        f"{SIGTERM_JOBS} x {SIGTERM_WORK * 1000:g} ms jobs queued",
    ),
    Figure("lost after SIGTERM", "jobs", "lower", "never ran, gone from Redis"),
    Figure(
        "stranded after SIGTERM",
        "jobs",
        "lower",
        f"never ran (fresh worker, {QUIET:g}s quiet), still held",
    ),
    Figure("duplicated after SIGTERM", "jobs", "lower", "runs beyond the first"),
)


def lead_ratio(ours: float, best: float) -> float | None:
    """ours / best; 1.0 when both are 0; None when only the best is 0 (no finite ratio)."""
    if best == 0:
        return 1.0 if ours == 0 else None
    return ours / best


def best_of(medians: Mapping[str, float], better: Better) -> tuple[str, float]:
    """The peer with the best median: the highest or the lowest."""
    pick = max if better == "higher" else min
    name = pick(medians, key=lambda peer: medians[peer])
    return name, medians[name]


def figure_row(
    figure: Figure,
    samples: Mapping[str, Sequence[float]],
    failures: Mapping[str, str],
    versions: str,
) -> Row:
    """The service's figure beside the best peer's: ratio, target lead or tie, peers in the note.

    Args:
        samples: each system's samples (SERVICE and the peers that ran).
        failures: why a peer (or the service) has no samples.
        versions: what was measured, for the note.
    """
    name = f"peers: {figure.name}"
    peers = {p: summarize(s) for p, s in samples.items() if p != SERVICE and s}
    why = "; ".join(f"{p}: {reason}" for p, reason in failures.items())
    if not samples.get(SERVICE):
        return skipped(name, figure.unit, failures.get(SERVICE, "the service did not run"))
    ours = summarize(samples[SERVICE])
    if not peers:
        return skipped(name, figure.unit, f"no peer ran ({why})")
    best, best_median = best_of({p: s.median for p, s in peers.items()}, figure.better)
    ratio = lead_ratio(ours.median, best_median)
    if figure.unit == "jobs":  # counts: often 0, a ratio says little; lead means no more jobs
        target = Target("<=", best_median, on="value", unit="jobs")
    else:
        target = Target(">=" if figure.better == "higher" else "<=", 1.0)
    listed = ", ".join(f"{p} {number(s.median)}" for p, s in peers.items())
    note = f"{figure.note}; {figure.better} is better; best peer {best}; peers: {listed}"
    if why:
        note += f"; not run: {why}"
    note += f"; {versions}"
    return Row(name, figure.unit, ours, peers[best], ratio, target, note)


# --- the measurement --------------------------------------------------------------------------


def measure(workspace: Workspace, plan: Plan) -> list[Row]:
    project = workspace.project(redis=True, work_source="redis-streams")
    systems: list[System] = [service_system(project)]
    failures: dict[str, str] = {}
    for peer in PEERS:
        workspace.say(f"peers: installing {peer.versions}")
        try:
            systems.append(install(workspace, peer, project.python))
        except (BenchmarkError, OSError, subprocess.SubprocessError) as exc:
            failures[peer.name] = f"install failed: {exc}"
    samples: dict[str, dict[str, list[float]]] = {
        f.name: {s.name: [] for s in systems} for f in FIGURES
    }
    noop_jobs, io_jobs = (2_000, 300) if plan.quick else (10_000, 1_000)
    steps: list[tuple[str, Callable[[System], dict[str, float]]]] = [
        ("startup and memory", _lifecycle_figures),
        (f"{noop_jobs:,} no-op jobs", lambda s: {"no-op jobs": rate(s, noop_jobs, 0)}),
        (f"{io_jobs:,} 10 ms jobs", lambda s: {"10 ms jobs": rate(s, io_jobs, IO_WORK)}),
        ("SIGTERM under load", _interrupted_figures),
    ]
    turn = 0
    for index in range(plan.peers):
        for label, step in steps:
            repeats = plan.peers_lifecycle if label == "startup and memory" else 1
            for _ in range(repeats):
                workspace.say(f"peers round {index + 1}/{plan.peers}: {label}")
                for system in rotated(systems, turn):
                    if system.failure:
                        continue
                    try:
                        for figure_name, value in step(system).items():
                            samples[figure_name][system.name].append(value)
                    except (BenchmarkError, OSError, subprocess.SubprocessError) as exc:
                        if system.name == SERVICE:
                            raise
                        system.failure = f"failed: {exc}"
                        failures[system.name] = system.failure
                turn += 1
    versions = ", ".join(f"{s.versions}" for s in systems if s.name != SERVICE) + (
        f"; concurrency {CONCURRENCY}, one process each"
    )
    return [figure_row(f, samples[f.name], failures, versions) for f in FIGURES]


def rotated(systems: Sequence[T], turn: int) -> list[T]:
    """The systems in the order of this turn: each turn, the next one goes first."""
    first = turn % len(systems)
    return [*systems[first:], *systems[:first]]


def _lifecycle_figures(system: System) -> dict[str, float]:
    startup, rss, _ = lifecycle(system)
    return {"startup": startup, "idle memory": rss}


def _interrupted_figures(system: System) -> dict[str, float]:
    result = interrupted(system)
    return {
        "SIGTERM to exit, busy": result.exit_seconds,
        "lost after SIGTERM": result.outcome.lost,
        "stranded after SIGTERM": result.outcome.stranded,
        "duplicated after SIGTERM": result.outcome.duplicated,
    }
