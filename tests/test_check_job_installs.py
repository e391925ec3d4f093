"""Check jobs install only what they run (issue 29, item 3): tagship's locked set only in the
jobs whose command runs tagship, and the project's own tools with uv, not pip. Real `init` on
real repositories; the written workflows linted by zizmor (pedantic) and actionlint."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from tagship.ci.github.workflows.install_tagship import LOCK_FILE
from tagship.ci.pipeline_values import calls_tagship
from workflow_lint import assert_linted

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "sample"
version = "1.0.0"
description = "A sample"
readme = "README.md"

[project.optional-dependencies]
dev = ["ruff", "mypy", "pytest"]

[tool.ruff]
[tool.mypy]
strict = true
[tool.pytest.ini_options]
"""


def _installs(jobs: dict[str, Any]) -> dict[str, str]:
    """Each job's `Install tools` step ("" when it has none)."""
    return {
        name: next((s["run"] for s in job["steps"] if s.get("name") == "Install tools"), "")
        for name, job in jobs.items()
    }


def test_only_jobs_that_run_tagship_install_it(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo(
        {
            "pyproject.toml": PYPROJECT,
            "README.md": "# sample\n",
            "src/sample/__init__.py": "",
            "docs/conf.py": "project = 'sample'\n",
        }
    )
    result = cli("-C", str(repo.path), "init")
    assert result.code == 0, result.err
    ci = yaml.safe_load((repo.path / ".github/workflows/ci.yml").read_text())
    installs = _installs(ci["jobs"])
    runs = {name: job["steps"][-1]["run"] for name, job in ci["jobs"].items()}
    for name in ("lint", "typecheck", "tests"):
        assert LOCK_FILE not in installs[name], name  # `ruff check .` needs no tagship
        assert installs[name].startswith('uv pip install --system --editable ".[dev]"'), name
        assert "python -m pip" not in installs[name]
        assert not calls_tagship(runs[name])
    # docs: the project's tools and the builder its dev extra does not declare, in one resolve
    assert installs["docs-validation"] == 'uv pip install --system --editable ".[dev]" sphinx\n'
    for name in ("package-build", "build-validation"):
        assert calls_tagship(runs[name])
        assert installs[name] == (
            f"uv pip install --system --require-hashes --no-deps -r {LOCK_FILE}\n"
        )
    # the jobs of the release flow run tagship in every step: they still install it
    publish = yaml.safe_load((repo.path / ".github/workflows/publish-testpypi.yml").read_text())
    for name, install in _installs(publish["jobs"]).items():
        assert LOCK_FILE in install, name
    assert_linted(repo.path)


def test_what_counts_as_running_tagship() -> None:
    assert calls_tagship("tagship build")
    assert calls_tagship("tagship build && tagship verify-artifacts")
    assert calls_tagship("make dist; tagship verify-artifacts")
    assert calls_tagship("set -e\ntagship check-docs\n")
    assert not calls_tagship("ruff check .")
    assert not calls_tagship("pytest tests/test_tagship.py")
    assert not calls_tagship("mypy src/tagship")
