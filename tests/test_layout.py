"""The generated service's layout: the runtime is plain, template-owned Python; the owner's
wiring stays thin; the README's recipes are small changes to the owner's files that work."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from .project import FULL_FEATURED, ROOT, render, run_checks

PACKAGE = ROOT / "template" / "src" / "{{package_name}}"
FULL = {"project_name": "Recipe Service", **FULL_FEATURED}


def test_nothing_under_the_runtime_is_templated() -> None:
    files = [path.name for path in (PACKAGE / "runtime").iterdir()]
    assert files
    assert not [name for name in files if name.endswith(".jinja")]


def test_app_py_has_at_most_twelve_jinja_control_lines() -> None:
    text = (PACKAGE / "app.py.jinja").read_text(encoding="utf-8")
    assert len([line for line in text.splitlines() if "{%" in line]) <= 12


def apply_recipes(project: Path, package: str) -> None:
    """The README's recipes as an owner applies them: a periodic child in a module of its own
    plus its import and one line in app.py; a route reading PostgreSQL in routes.py only."""
    source = project / "src" / package
    (source / "report.py").write_text(
        textwrap.dedent(
            '''\
            """A periodic child: logs how many example jobs are recorded, every period."""

            from __future__ import annotations

            import logging

            from .resources import Resources
            from .runtime import Child, event

            logger = logging.getLogger(__name__)


            class Report:
                def __init__(self, resources: Resources) -> None:
                    self._resources = resources

                async def run(self, child: Child) -> None:
                    child.ready()
                    while await child.sleep(0.05):
                        count = await self._resources.database.fetchval("SELECT 1")
                        event(logger, "report", count=count)
            '''
        ),
        encoding="utf-8",
    )
    app = (source / "app.py").read_text(encoding="utf-8")
    app = app.replace(
        "from .resources import", "from .report import Report\nfrom .resources import"
    )
    app = app.replace(
        "    return children\n",
        '    children.append(ChildSpec("report", Report(resources).run))\n    return children\n',
    )
    (source / "app.py").write_text(app, encoding="utf-8")

    routes = (source / "web" / "routes.py").read_text(encoding="utf-8")
    routes = routes.replace(
        "    return app\n",
        textwrap.indent(
            textwrap.dedent(
                '''\
                @app.get("/answer")
                async def answer() -> JSONResponse:
                    """What PostgreSQL computes."""
                    value = await resources.database.fetchval("SELECT 41 + 1")
                    return JSONResponse({"answer": value})

                return app
                '''
            ),
            "    ",
        ),
    )
    (source / "web" / "routes.py").write_text(routes, encoding="utf-8")
    (project / "tests" / "test_recipes.py").write_text(
        textwrap.dedent(
            """\
            import signal

            from .conftest import StartService
            from .test_web import get, serving_entrypoint


            async def test_the_periodic_child_and_the_route_work(
                start_service: StartService,
            ) -> None:
                service, port = serving_entrypoint(start_service, example_rate=0)
                assert await get(port, "/answer") == (200, {"answer": 42})
                assert "count=1" in service.wait_for("report")
                service.signal(signal.SIGTERM)
                assert service.wait() == 0, service.log
            """
        ),
        encoding="utf-8",
    )


@pytest.mark.variant
def test_the_readme_recipes_are_small_changes_that_pass_the_checks(
    template_source: Path, tmp_path: Path
) -> None:
    project = render(template_source, tmp_path / "project", FULL)
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "while await child.sleep(60)" in readme
    assert re.search(r"resources\.database\.fetchval", readme)
    apply_recipes(project, "recipe_service")
    checks = (
        ("uv", "sync", "--quiet"),
        ("uv", "run", "ruff", "format", "."),  # the owner's editor formats new code
        ("uv", "run", "ruff", "check", "."),
        ("uv", "run", "mypy"),
        ("uv", "run", "pytest", "-W", "error", "tests/test_recipes.py", "tests/test_layout.py"),
    )
    results = run_checks(project, checks)
    failed = [r for r in results if r.code != 0]
    assert not failed, f"{failed[0].command} failed:\n{failed[0].output[-4000:]}"
    assert re.search(r"\b4 passed", results[-1].output), results[-1].output
