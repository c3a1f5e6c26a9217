"""copier.yml and the files each non-code answer changes; rendering through copier's own CLI."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from generator import questions

from .project import ROOT, clean_env, render

QUESTIONNAIRE = questions.load()
OTHER_VARIANTS = QUESTIONNAIRE.variants("other")


def copier_yml() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    return data


def test_template_needs_no_trust() -> None:
    settings = set(copier_yml())
    assert not settings & {"_tasks", "_migrations", "_jinja_extensions"}


def test_every_question_has_a_type_and_help() -> None:
    for question in QUESTIONNAIRE.asked:
        spec = copier_yml()[question.name]
        assert spec.get("type"), question.name
        assert spec.get("help"), question.name


def test_stdlib_names_in_the_validator_cover_this_python() -> None:
    needed = {name for name in sys.stdlib_module_names if not name.startswith("_")}
    for name in sorted(needed):
        error = QUESTIONNAIRE.render(
            '{% from "includes/names.jinja" import package_name_error %}'
            "{{ package_name_error(name) }}",
            {"name": name.lower()},
        )
        if name.islower():
            assert "standard-library module" in error, name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "package name is empty; give one, e.g. 'acme_worker'"),
        ("3d_svc", "package name '3d_svc' is not a lowercase Python identifier"),
        ("Acme-Worker", "e.g. 'acme_worker'"),
        ("class", "package name 'class' is a Python keyword; pick another, e.g. 'class_service'"),
        ("asyncio", "package name 'asyncio' is a standard-library module; pick another"),
        ("uvloop", "package name 'uvloop' is a package the service may depend on"),
        ("yarl", "package name 'yarl' is a package the service may depend on"),
    ],
)
def test_a_bad_package_name_is_refused_naming_the_value_and_the_fix(
    name: str, message: str
) -> None:
    with pytest.raises(questions.AnswerError) as caught:
        QUESTIONNAIRE.resolve({"project_name": "Acme Worker", "package_name": name})
    assert message in str(caught.value)


def test_package_name_defaults_from_the_project_name() -> None:
    answers = QUESTIONNAIRE.resolve({"project_name": "Acme Worker 2"})
    assert answers["package_name"] == "acme_worker_2"


def test_an_answer_key_that_is_not_a_question_is_refused(tmp_path: Path) -> None:
    with pytest.raises(questions.AnswerError, match="'web_server' is not a question"):
        render(ROOT, tmp_path / "out", {"project_name": "Acme", "web_server": "fastapi"})
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("question", "value"),
    [("event_loop", "trio"), ("web", "django"), ("http_client", "requests")],
)
def test_a_value_outside_the_choices_is_refused(question: str, value: str) -> None:
    with pytest.raises(questions.AnswerError, match=f"{question}='{value}' is not one of"):
        QUESTIONNAIRE.resolve({"project_name": "Acme", question: value})


@pytest.mark.parametrize("web", QUESTIONNAIRE["web"].values())
@pytest.mark.parametrize("http_client", QUESTIONNAIRE["http_client"].values())
def test_web_and_http_client_add_their_packages_and_files(
    web: str, http_client: str, template_source: Path, tmp_path: Path
) -> None:
    answers = {"project_name": "Acme", "web": web, "http_client": http_client}
    project = render(template_source, tmp_path / "p", answers)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    names = [dep.split(">")[0] for dep in pyproject["project"]["dependencies"]]
    expected = ["cronsim"]  # the schedule's cron expressions, in every variant
    expected += {"aiohttp": ["aiohttp"], "fastapi": ["fastapi", "uvicorn"], "none": []}[web]
    expected += {"aiohttp": ["aiohttp"], "httpx": ["httpx"], "none": []}[http_client]
    assert sorted(names) == sorted(set(expected)), "each package once"
    package = project / "src" / "acme"
    assert (package / "web").is_dir() == (web != "none")
    assert (package / "runtime" / "webserver.py").is_file() == (web != "none")
    assert (package / "resources" / "http.py").is_file() == (http_client != "none")


def other_id(answers: dict[str, Any]) -> str:
    defaults = QUESTIONNAIRE.resolve({"project_name": answers["project_name"]})
    changed = [f"{k}={v}" for k, v in answers.items() if defaults.get(k) != v]
    return ",".join(changed) or "defaults"


@pytest.mark.parametrize("answers", OTHER_VARIANTS, ids=[other_id(v) for v in OTHER_VARIANTS])
def test_other_axis_changes_its_files(
    answers: dict[str, Any], template_source: Path, tmp_path: Path
) -> None:
    project = render(template_source, tmp_path / "p", answers)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    python_min = answers["python_min"]
    assert pyproject["project"]["requires-python"] == f">={python_min}"
    # No .python-version: it would make uv fetch python_min on a machine that has a newer one.
    assert not (project / ".python-version").exists()
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + python_min.replace(".", "")

    license_file = project / "LICENSE"
    if answers["license"] == "proprietary":
        assert not license_file.exists()
        assert "license" not in pyproject["project"]
    else:
        assert pyproject["project"]["license"] == answers["license"]
        text = license_file.read_text(encoding="utf-8")
        assert ("MIT License" in text) == (answers["license"] == "MIT")
        assert ("Apache License" in text) == (answers["license"] == "Apache-2.0")

    workflow = project / ".github" / "workflows" / "ci.yml"
    if answers["ci"] == "github":
        jobs = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]
        versions = jobs["check"]["strategy"]["matrix"]["python-version"]
        assert versions[0] == python_min
        assert all(tuple(map(int, v.split("."))) >= (3, 11) for v in versions)
        steps = " ".join(str(step.get("run", "")) for step in jobs["check"]["steps"])
        for command in ("ruff format --check", "ruff check", "mypy", "pytest"):
            assert command in steps
    else:
        assert not (project / ".github").exists()

    if answers["docker"]:
        assert_docker_files(project, answers)
    else:
        assert not [name for name in DOCKER_FILES if (project / name).exists()]
    assert not [p for p in project.rglob("*") if p.is_file() and p.stat().st_size == 0]


def test_copier_command_line_renders_without_trust(template_source: Path, tmp_path: Path) -> None:
    copier = Path(sys.executable).parent / "copier"
    out = tmp_path / "acme"
    done = subprocess.run(
        [
            *(str(copier), "copy", "--defaults", "--data", "project_name=Acme Worker"),
            *(str(template_source), str(out)),
        ],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers = yaml.safe_load((out / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["project_name"] == "Acme Worker"
    assert answers["package_name"] == "acme_worker"
    assert (out / "src" / "acme_worker" / "runtime" / "supervisor.py").is_file()
    assert "project_slug" not in answers


DOCKER_FILES = ("Dockerfile", ".dockerignore", "compose.yaml", "deploy")
DEFAULT_PORTS = {"postgres": 5432, "redis": 6379, "rabbitmq": 5672, "nats": 4222}
SERVERS = [
    {},
    {"database": "postgres", "redis": True, "work_source": "redis-streams"},
    {"database": "sqlite"},
    {"database": "postgres", "work_source": "nats"},
    {"redis": True, "work_source": "rabbitmq"},
]


def servers_of(given: dict[str, Any]) -> set[str]:
    """The servers a service with these answers talks to, named as compose and CI name them."""
    answers = {**given, **QUESTIONNAIRE.derived(given)}
    servers = {"postgres"} if answers["database"] == "postgres" else set()
    servers |= {"redis"} if answers["redis"] else set()
    servers |= {"rabbitmq"} if answers["work_source"] == "rabbitmq" else set()
    servers |= {"nats"} if answers["work_source"] == "nats" else set()
    return servers


@pytest.mark.parametrize("servers", SERVERS, ids=lambda s: ",".join(map(str, s.values())) or "none")
def test_docker_files_fit_the_service_and_its_servers(
    servers: dict[str, Any], template_source: Path, tmp_path: Path
) -> None:
    answers = QUESTIONNAIRE.resolve({"project_name": "Acme Worker", "docker": True, **servers})
    assert_docker_files(render(template_source, tmp_path / "p", answers), answers)


@pytest.mark.parametrize("servers", SERVERS, ids=lambda s: ",".join(map(str, s.values())) or "none")
def test_ci_starts_the_servers_the_tests_need(
    servers: dict[str, Any], template_source: Path, tmp_path: Path
) -> None:
    answers = QUESTIONNAIRE.resolve({"project_name": "Acme Worker", **servers})
    project = render(template_source, tmp_path / "p", answers)
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text())
    started = workflow["jobs"]["check"].get("services", {})
    # NATS needs a flag (-js) a service container cannot pass: a step starts it instead.
    expected = servers_of(answers) - {"nats"}
    assert set(started) == expected
    # on the ports the generated tests default to
    assert {name: started[name]["ports"] for name in started} == {
        name: [f"{port}:{port}"] for name, port in DEFAULT_PORTS.items() if name in expected
    }
    steps = [str(step.get("run", "")) for step in workflow["jobs"]["check"]["steps"]]
    nats = [run for run in steps if "nats:" in run]
    if answers["work_source"] == "nats":
        (run,) = nats
        assert re.search(r"docker run -d .*-p 4222:4222 .*nats:2 -js\b", run), run
        tests = next(i for i, run in enumerate(steps) if run.startswith("uv run pytest"))
        assert steps.index(run) < tests
    else:
        assert nats == []


def settings_defaults(project: Path, package: str) -> dict[str, Any]:
    """The defaults of every setting the generated package declares, read from its source
    (None where the default is a named constant): the runtime's, the example's and each
    resource's settings live beside their code."""
    defaults: dict[str, Any] = {}
    for path in (project / "src" / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id == "setting"
            ):
                default = node.value.args[0]  # a literal, or a constant named beside it
                value = default.value if isinstance(default, ast.Constant) else None
                defaults[node.target.id] = value
    return defaults


def hard_deadline(project: Path, package: str) -> float:
    """Seconds from SIGTERM to the service's forced exit with the default settings."""
    defaults = settings_defaults(project, package)
    listing = project / "src" / package / "resources" / "__init__.py"
    opening = ast.parse(listing.read_text(encoding="utf-8"))
    opened = [
        node
        for node in ast.walk(opening)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "enter"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "lifespan"
    ]
    resources = max(1, len(opened))
    return float(
        defaults["shutdown_drain_timeout"]
        + defaults["shutdown_cancel_timeout"]
        + defaults["resource_close_timeout"] * resources
        + defaults["shutdown_margin"]
    )


def assert_scaling(project: Path, answers: dict[str, Any], objects: list[Any]) -> None:
    """With a durable work source, a PodDisruptionBudget beside the Deployment and KEDA's
    objects in deploy/keda.yaml, all agreeing with the Deployment; without one, neither."""
    deployment = objects[0]
    name = deployment["metadata"]["name"]
    labels = deployment["spec"]["selector"]["matchLabels"]
    keda = project / "deploy" / "keda.yaml"
    if answers.get("work_source", "memory") == "memory":
        assert [o["kind"] for o in objects] == ["Deployment"]
        assert not keda.exists()
        return
    assert [o["kind"] for o in objects] == ["Deployment", "PodDisruptionBudget"]
    budget = objects[1]
    assert budget["apiVersion"] == "policy/v1"
    assert budget["spec"]["selector"] == {"matchLabels": labels}
    # A node drain may evict a pod, never every pod at once.
    assert 0 < budget["spec"]["maxUnavailable"] < deployment["spec"]["replicas"]
    assert "minAvailable" not in budget["spec"]

    kinds = {o["kind"]: o for o in yaml.safe_load_all(keda.read_text(encoding="utf-8"))}
    assert all(o["apiVersion"] == "keda.sh/v1alpha1" for o in kinds.values())
    scaled = kinds["ScaledObject"]["spec"]
    target = scaled["scaleTargetRef"]
    assert (target.get("apiVersion", "apps/v1"), target["kind"], target["name"]) == (
        "apps/v1",
        "Deployment",
        name,
    )
    assert scaled["minReplicaCount"] == deployment["spec"]["replicas"]
    assert scaled["maxReplicaCount"] > scaled["minReplicaCount"]
    (trigger,) = scaled["triggers"]
    metadata = trigger["metadata"]
    assert all(isinstance(value, str) for value in metadata.values()), "KEDA reads strings"
    package = answers["package_name"]
    if answers["work_source"] == "redis-streams":
        assert set(kinds) == {"ScaledObject", "TriggerAuthentication"}
        assert trigger["type"] == "redis-streams"
        # The stream and group the service reads with its default REDIS_STREAM, REDIS_GROUP.
        redis_module = (project / "src" / package / "resources" / "redis.py").read_text()
        assert f'DEFAULT_STREAM = "{metadata["stream"]}"' in redis_module
        assert f'DEFAULT_GROUP = "{metadata["consumerGroup"]}"' in redis_module
        assert int(metadata["lagCount"]) > 0
        assert "address" not in metadata, "the address comes from the Secret"
        auth = kinds["TriggerAuthentication"]
        assert trigger["authenticationRef"] == {"name": auth["metadata"]["name"]}
        secrets = {
            entry["valueFrom"]["secretKeyRef"]["name"]
            for entry in deployment["spec"]["template"]["spec"]["containers"][0]["env"]
            if "valueFrom" in entry
        }
        refs = {ref["parameter"]: ref for ref in auth["spec"]["secretTargetRef"]}
        assert set(refs) == {"address", "password"}
        assert {ref["name"] for ref in refs.values()} == secrets
        comment = (project / "deploy" / "kubernetes.yaml").read_text(encoding="utf-8")
        for ref in refs.values():
            assert f"--from-literal={ref['key']}=" in comment  # the Secret's how-to names it
    if answers["work_source"] == "rabbitmq":
        assert set(kinds) == {"ScaledObject", "TriggerAuthentication"}
        assert (trigger["type"], metadata["mode"]) == ("rabbitmq", "QueueLength")
        # The queue the service consumes with its default RABBITMQ_QUEUE.
        module = (project / "src" / package / "resources" / "rabbitmq.py").read_text()
        assert f'DEFAULT_QUEUE = "{metadata["queueName"]}"' in module
        assert int(metadata["value"]) > 0
        auth = kinds["TriggerAuthentication"]
        assert trigger["authenticationRef"] == {"name": auth["metadata"]["name"]}
        (ref,) = auth["spec"]["secretTargetRef"]
        assert (ref["parameter"], ref["key"]) == ("host", "rabbitmq-url")
        assert ref["name"] == name
    if answers["work_source"] == "nats":
        assert set(kinds) == {"ScaledObject"}
        assert trigger["type"] == "nats-jetstream"
        # The stream and consumer the service uses with its default NATS_STREAM, NATS_CONSUMER.
        nats_module = (project / "src" / package / "resources" / "nats.py").read_text()
        assert f'DEFAULT_STREAM = "{metadata["stream"]}"' in nats_module
        assert f'DEFAULT_CONSUMER = "{metadata["consumer"]}"' in nats_module
        assert int(metadata["lagThreshold"]) > 0
        assert metadata["natsServerMonitoringEndpoint"].endswith(":8222")


def assert_docker_files(project: Path, answers: dict[str, Any]) -> None:
    """Check the container files without a Docker engine: their structure, and that they agree
    with the settings, the servers chosen and the service's shutdown deadline."""
    package = answers["package_name"]
    prefix = f"{package.upper()}_"
    variables = {prefix + name.upper() for name in settings_defaults(project, package)}
    deadline = hard_deadline(project, package)
    servers = servers_of(answers)
    web = answers.get("web", "none") != "none"

    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    lines = [line.strip() for line in dockerfile.splitlines() if line.strip()[:1] not in {"", "#"}]
    stages = [line for line in lines if line.startswith("FROM ")]
    assert len(stages) == 2
    assert stages[0].endswith(" AS build")
    assert any(re.match(r"RUN pip install .*\buv\b", line) for line in lines)
    assert "astral-sh/uv" not in dockerfile  # only package registries are reachable
    assert f"ARG PYTHON_VERSION={answers['python_min']}" in lines
    user = [line.split()[1] for line in lines if line.startswith("USER ")][-1]
    assert user.isdigit()
    assert int(user) > 0
    assert "STOPSIGNAL SIGTERM" in lines
    command = json.loads(next(line for line in lines if line.startswith("CMD "))[4:])
    scripts = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert command == list(scripts["scripts"])  # exec form: the service itself is PID 1
    image_env = dict(re.findall(rf"ENV ({prefix}\w+)=(\S+)", dockerfile))
    assert set(image_env) <= variables
    ignored = (project / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert {".git", ".venv"} <= set(ignored)

    objects = list(
        yaml.safe_load_all((project / "deploy" / "kubernetes.yaml").read_text(encoding="utf-8"))
    )
    manifest = objects[0]
    assert manifest["kind"] == "Deployment"
    pod = manifest["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    pause = container["lifecycle"]["preStop"]["exec"]["command"]
    assert pause[0] == "sleep"
    assert pod["terminationGracePeriodSeconds"] > float(pause[1]) + deadline
    assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": int(user)}
    assert {entry["name"] for entry in container["env"]} <= variables
    # Every variant answers probes: on the HTTP API's port, or on a port of their own.
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    probe_port = "http" if web else "probes"
    assert ports == {probe_port: 8000 if web else 8080}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": probe_port}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": probe_port}
    healthcheck = next(line for line in lines if line.startswith("HEALTHCHECK "))
    assert f"http://127.0.0.1:{ports[probe_port]}/healthz" in dockerfile, healthcheck
    if answers["database"] == "sqlite":
        assert manifest["spec"]["replicas"] == 1
        (mount,) = container["volumeMounts"]
        assert Path(image_env[f"{prefix}SQLITE_PATH"]).parent == Path(mount["mountPath"])
    else:
        assert manifest["spec"]["replicas"] > 1
    assert_scaling(project, answers, objects)

    compose = yaml.safe_load((project / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["service"]
    assert service["build"] == "."
    assert float(service["stop_grace_period"].removesuffix("s")) > deadline
    assert set(service["environment"]) <= variables
    assert set(compose["services"]) - {"service"} == servers
    assert set(service.get("depends_on", {})) == servers
    urls = {
        "postgres": f"{prefix}DATABASE_URL",
        "redis": f"{prefix}REDIS_URL",
        "rabbitmq": f"{prefix}RABBITMQ_URL",
        "nats": f"{prefix}NATS_URL",
    }
    secrets = {entry["name"] for entry in container["env"] if "valueFrom" in entry}
    assert secrets == {urls[server] for server in servers}  # each server's URL from the Secret
    for server in servers:
        url = urlsplit(service["environment"][urls[server]])
        assert url.hostname == server
        assert compose["services"][server]["ports"] == [f"127.0.0.1:{url.port}:{url.port}"]
    if answers["database"] == "sqlite":
        assert service["volumes"] == ["data:/data"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("fast", "example_rate='fast' is not a number, e.g. 10 or 2.5"),
        ("-1", "example_rate -1.0 is negative; give 0 (no example jobs) or more"),
    ],
)
def test_a_bad_example_rate_is_refused_naming_the_value(value: str, message: str) -> None:
    with pytest.raises(questions.AnswerError) as caught:
        QUESTIONNAIRE.resolve({"project_name": "Acme", "example_rate": value})
    assert message in str(caught.value)


def test_the_api_preset_makes_no_example_jobs_by_default() -> None:
    api = QUESTIONNAIRE.preset("api").data
    answers = QUESTIONNAIRE.resolve({"project_name": "Acme", **api})
    assert (answers["web"], answers["example_rate"]) == ("fastapi", 0.0)
    assert QUESTIONNAIRE.resolve({"project_name": "Acme"})["example_rate"] == 10.0
