"""A newcomer's first `tagship rehearse` usually stops at the required checks (CI's tools are
not on this machine): the one line names `--skip-checks`; any other closed gate does not."""

from __future__ import annotations

import sys
import tempfile
from typing import TYPE_CHECKING

import pytest

from release_world import FAST_CHECKS
from tagship.flows.sample import BACKENDS, check_lines

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, MakeRepo

pytestmark = pytest.mark.integration

SKIP = "where they cannot run here, rehearse the rest: tagship rehearse --skip-checks)"


def _files(checks: dict[str, str]) -> dict[str, str]:
    requires, entry = BACKENDS["hatchling"]
    return {
        "pyproject.toml": (
            f'[build-system]\nrequires = [{requires}]\nbuild-backend = "{entry}"\n\n'
            '[project]\nname = "hinted-pkg"\nversion = "0.1.0"\ndescription = "A sample"\n'
            'readme = "README.md"\nrequires-python = ">=3.10"\nlicense = "MIT"\n\n'
            f"[tool.tagship.checks]\n{check_lines(checks)}\n"
        ),
        "README.md": "# hinted-pkg\n",
        ".gitignore": "dist/\n",
        "src/hinted_pkg/__init__.py": "",
    }


@pytest.fixture(autouse=True)
def _scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "scratch"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))


def test_failing_checks_name_skip_checks(make_repo: MakeRepo, cli: Cli) -> None:
    failing = {**FAST_CHECKS, "tests": f"{sys.executable} -c 'raise SystemExit(1)'"}
    repo = make_repo(_files(failing))

    result = cli("-C", str(repo.path), "rehearse")

    assert result.code == 1
    assert "[failed] TestPyPI dry run: gate 'required checks' is closed" in result.out
    (line,) = result.err.strip().splitlines()
    assert line.startswith("tagship: error: gate 'required checks' is closed: tests failed")
    assert line.endswith(f"nothing was built, published or tagged; fix it and rerun; {SKIP}")


def test_another_closed_gate_keeps_its_own_hint(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo(_files(FAST_CHECKS))
    repo.tag("v0.1.0", push=True)
    repo.commit("a fix released from elsewhere")
    repo.tag("v0.1.1", push=True)  # the patch release the bump collides with

    result = cli("-C", str(repo.path), "rehearse", "--bump", "patch")

    assert result.code == 1
    assert "tagship: error: gate 'version is new' is closed" in result.err
    assert "--skip-checks" not in result.err
