"""web: requests a second and p99 latency of GET /healthz, web variant vs the bare framework.

Web variants arrive on another branch (a `web` question: none, fastapi, aiohttp; each serving
/healthz). Until copier.yml has a `web` question the rows are reported as skipped, with that
reason.

Method. For each framework the `web` question offers, the variant is rendered and synced and
two processes run side by side on 127.0.0.1: the service (`python -m <package>`,
EXAMPLE_RATE=0, its port setting, the one whose name contains "port", set to a free port,
and its host setting, if it has one, to 127.0.0.1) and the bare app
(`scripts/bare_web.py`: the same framework and server from the same venv, /healthz only).
Both must answer 200 before the load starts. A round sends `plan.web_requests` GETs over
`CONNECTIONS` keep-alive connections from an in-process asyncio client (`loadgen`), for at
most `ROUND_SECONDS`, to one and then the other, alternating which goes first; one warm-up
round each is not counted. The latency target is the same 0.9 margin: ratio <= 1 / 0.9.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import Callable, Mapping
from typing import Any

from generator import questions

from .loadgen import HOST, Load, LoadError, hammer, wait_until_answering
from .plan import Plan
from .process import BenchmarkError, Child
from .rows import Row, Target, compare, skipped
from .stats import alternate
from .workspace import Workspace

PATH = "/healthz"
CONNECTIONS = 8
ROUND_SECONDS = 30.0
RATE_TARGET = Target(">=", 0.9)
P99_TARGET = Target("<=", round(1 / 0.9, 2))


def web_missing(questionnaire: questions.Questionnaire) -> str | None:
    """Why the web figure cannot be measured from this copier.yml, or None."""
    if "web" not in {question.name for question in questionnaire.asked}:
        return "copier.yml has no `web` question yet (web variants arrive on the web branch)"
    return None


def setting_named(defaults: Mapping[str, Any], word: str) -> str | None:
    """The first setting whose name contains `word`, e.g. 'web_port' for 'port'."""
    return next((name for name in defaults if word in name.split("_")), None)


def free_ports(count: int) -> list[int]:
    """`count` distinct ports on 127.0.0.1 that nothing listens on right now."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def measure(workspace: Workspace, plan: Plan) -> list[Row]:
    questionnaire = questions.load(workspace.template)
    if (reason := web_missing(questionnaire)) is not None:
        return [
            skipped("web requests/s", "req/s", reason, RATE_TARGET),
            skipped("web p99 latency", "ms", reason, P99_TARGET),
        ]
    rows: list[Row] = []
    for framework in questionnaire["web"].values():
        if framework != "none":
            rows += measure_framework(workspace, plan, str(framework))
    return rows


def measure_framework(workspace: Workspace, plan: Plan, framework: str) -> list[Row]:
    """Load the `framework` variant and its bare app, round by round.

    Raises:
        BenchmarkError: a server did not start or did not answer 200.
    """
    project = workspace.project(web=framework)
    defaults = project.defaults()
    port_setting = setting_named(defaults, "port")
    if port_setting is None:
        raise BenchmarkError(f"the {framework} variant has no port setting to aim the load at")
    service_port, bare_port = free_ports(2)
    settings: dict[str, object] = {"example_rate": 0, port_setting: service_port}
    if (host_setting := setting_named(defaults, "host")) is not None:
        settings[host_setting] = HOST
    workspace.say(f"web ({framework}): {plan.web_rounds} rounds of {plan.web_requests:,} requests")
    bare_argv = project.script("bare_web.py", framework, str(bare_port))
    with (
        Child(project.service(), project.env(**settings), cwd=project.path) as service,
        Child(bare_argv, project.env(), cwd=project.path) as bare,
    ):
        service.wait_for("ready", 30)
        try:
            loads = asyncio.run(
                load_rounds({"service": (service, service_port), "bare": (bare, bare_port)}, plan)
            )
        except (LoadError, OSError, asyncio.IncompleteReadError) as exc:
            raise BenchmarkError(f"web {framework}: {exc}") from exc
        for child in (service, bare):
            child.signal(signal.SIGTERM)
            child.wait_exit(30)
    note = f"GET {PATH}, {CONNECTIONS} connections; bare: {framework} alone"
    return [
        compare(
            f"web {framework} requests/s",
            "req/s",
            [load.rate for load in loads["service"]],
            [load.rate for load in loads["bare"]],
            RATE_TARGET,
            note=note,
        ),
        compare(
            f"web {framework} p99 latency",
            "ms",
            [load.p99 * 1000 for load in loads["service"]],
            [load.p99 * 1000 for load in loads["bare"]],
            P99_TARGET,
            note=note,
        ),
    ]


async def load_rounds(targets: dict[str, tuple[Child, int]], plan: Plan) -> dict[str, list[Load]]:
    """Alternate load rounds between the `service` and `bare` targets; warm-up first."""
    loop = asyncio.get_running_loop()
    for child, _ in targets.values():
        loop.add_reader(child.fileno(), _drain(loop, child))
    try:
        for _, port in targets.values():
            await wait_until_answering(port, PATH, 30)
        loads: dict[str, list[Load]] = {name: [] for name in targets}
        for index in range(-1, plan.web_rounds):  # -1: the warm-up round, not counted
            for name in alternate(index, "service", "bare"):
                load = await hammer(
                    targets[name][1],
                    PATH,
                    requests=plan.web_requests,
                    connections=CONNECTIONS,
                    seconds=ROUND_SECONDS,
                )
                if index >= 0:
                    loads[name].append(load)
        return loads
    finally:
        for child, _ in targets.values():
            loop.remove_reader(child.fileno())


def _drain(loop: asyncio.AbstractEventLoop, child: Child) -> Callable[[], None]:
    def take() -> None:
        child.take_output()
        if child.eof:
            loop.remove_reader(child.fileno())

    return take
