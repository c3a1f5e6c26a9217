"""Where the template comes from: always a git source `copier update` can return to."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.source import PUBLIC_SOURCE, Source, default_source, fetch, source
from tests.driving import new, recorded
from tests.repos import commit_all, git

BETA = ("--preset", "worker", "--data", "project_name=Beta Svc", "--yes", "--no-sync")


def test_the_default_source_is_the_checkout_the_wizard_runs_from(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    assert default_source(tmp_path) == Source(str(tmp_path))


def test_an_installed_wizard_defaults_to_the_public_repository(tmp_path: Path) -> None:
    assert default_source(tmp_path) == Source(PUBLIC_SOURCE)
    assert PUBLIC_SOURCE.endswith(".git")
    assert not Source(PUBLIC_SOURCE).local


@pytest.mark.parametrize(
    "url", ["https://example.com/t.git", "git@example.com:t.git", "gh:owner/t", "file:///t"]
)
def test_urls_are_taken_as_given_and_never_looked_up_on_disk(url: str) -> None:
    assert source(url, None) == Source(url)


def test_the_latest_release_is_rendered_as_copier_would_choose_it(
    own_template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for tag in ("v0.2.0", "v0.10.0", "v1.0.0rc1", "not-a-version"):
        (own_template_repo / "template" / "VERSION").write_text(f"{tag}\n")
        commit_all(own_template_repo, f"Release {tag}", tag=tag)
    with fetch(source(str(own_template_repo), None)) as revision:
        assert revision.ref == "v0.10.0"
        assert (revision.root / "template" / "VERSION").read_text() == "v0.10.0\n"

    dest = tmp_path / "out"
    assert new(capsys, dest, own_template_repo, *BETA).code == 0
    answers = recorded(dest)
    assert answers["_commit"] == "v0.10.0"
    assert (dest / "VERSION").read_text() == "v0.10.0\n"


def test_an_untagged_checkout_is_read_and_rendered_from_its_working_tree(
    own_template_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(own_template_repo, "tag", "--delete", "v0.1.0")
    config = own_template_repo / "copier.yml"
    config.write_text(config.read_text().replace("default: An asyncio service", "default: Edit"))

    with fetch(source(str(own_template_repo), None)) as revision:
        assert (revision.ref, revision.root) == ("HEAD", own_template_repo)

    dest = tmp_path / "out"
    result = new(capsys, dest, own_template_repo, *BETA)
    assert result.code == 0, result.err
    assert recorded(dest)["description"] == "Edit"
    assert "  • copier: Dirty template changes included automatically." in result.err_lines
