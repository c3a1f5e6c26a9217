"""One line per variant as it is checked, so a long run shows what it is doing.

The variant tests take 1 to 40 s each, and pytest's dots say neither which variant a dot was
nor how long it took. This plugin writes, for each test marked `variant` as its result comes
in (from any xdist worker), its outcome, its time and its parameters. Loaded by
tests/conftest.py; also usable alone as `pytest -p tests.variant_lines`.
"""

from __future__ import annotations

import pytest


class VariantLines:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.count = 0

    @staticmethod
    def reported(report: pytest.TestReport) -> bool:
        if "variant" not in report.keywords:
            return False
        return report.when == "call" or (report.when == "setup" and not report.passed)

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report: pytest.TestReport) -> tuple[str, str, str] | None:
        """No dot for a variant: its line says more."""
        if not self.reported(report):
            return None
        return report.outcome, "", report.outcome.upper()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not self.reported(report):
            return
        self.count += 1
        name = report.nodeid.rpartition("::")[2]
        outcome = "failed" if report.failed else report.outcome
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            # After other tests' dots, start a line of its own.
            if getattr(reporter, "_tw", None) and reporter._tw.width_of_current_line:
                reporter.write("\n")
            reporter.write_line(
                f"variant {self.count:>3}: {outcome:<7} {report.duration:5.1f} s  {name}"
            )


def pytest_configure(config: pytest.Config) -> None:
    # xdist workers report to the controller, which writes the lines; they write none.
    if hasattr(config, "workerinput") or config.pluginmanager.has_plugin("variant-lines"):
        return
    config.pluginmanager.register(VariantLines(config), "variant-lines")
