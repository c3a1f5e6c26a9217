from __future__ import annotations

from pathlib import Path

import pytest

from generator import questions

from .project import snapshot_template


@pytest.fixture(scope="session")
def template_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A non-git snapshot of the template's working tree, shared by the session."""
    return snapshot_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def questionnaire() -> questions.Questionnaire:
    return questions.load()
