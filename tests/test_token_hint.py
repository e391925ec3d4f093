"""Without a token, the hint says how a maintainer gets one at a terminal, and names a
workflow's token only for commands whose permissions it can hold (`setup github` needs
administration, which a workflow's GITHUB_TOKEN never has)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Cli, Repo


@pytest.fixture(autouse=True)
def _no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)


def test_setup_github_hint_names_gh_and_no_workflow_token(cli: Cli, charmos: Repo) -> None:
    result = cli("-C", str(charmos.path), "setup", "github", "--dry-run")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "(hint: export GH_TOKEN=$(gh auth token), a token with administration: write" in (
        result.err
    )
    assert "github.token" not in result.err


def test_checks_hint_names_gh_and_the_workflow_token(cli: Cli, charmos: Repo) -> None:
    result = cli("-C", str(charmos.path), "checks")
    assert result.code == 2
    assert "(hint: export GH_TOKEN=$(gh auth token), a token with " in result.err
    assert "in a workflow: env GITHUB_TOKEN: ${{ github.token }}" in result.err
