"""`init` reads which tools a project uses for each required check; `check-docs` stands in
for docs a project does not have. Real repositories, real `init`, real `checks --local`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import yaml

from hostile import assert_refused

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo, Repo

BASE = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "sample"
version = "1.0.0"
description = "A sample"
readme = "README.md"
"""
README = "# sample\n\nA sample project.\n"


def _ci(repo: Repo) -> dict[str, Any]:
    data = yaml.safe_load((repo.path / ".github/workflows/ci.yml").read_text())
    assert isinstance(data, dict)
    return data


def _job(repo: Repo, check: str) -> tuple[str, str]:
    """(what the job installs, what it runs) for one check's job."""
    steps = _ci(repo)["jobs"][check]["steps"]
    install = next((s["run"] for s in steps if s.get("name") == "Install tools"), "")
    return install, steps[-1]["run"]


def _init(cli: Cli, repo: Repo) -> str:
    result = cli("-C", str(repo.path), "init")
    assert result.code == 0, result.err
    return result.out


def test_pre_commit_mypy_pytest_sphinx_and_a_dev_extra(cli: Cli, make_repo: MakeRepo) -> None:
    pyproject = BASE + (
        '\n[project.optional-dependencies]\ndev = ["pytest>=8", "mypy"]\n'
        "\n[tool.pytest.ini_options]\naddopts = '-q'\n"
    )
    repo = make_repo(
        {
            "pyproject.toml": pyproject,
            "README.md": README,
            ".pre-commit-config.yaml": "repos: []\n",
            "setup.cfg": "[mypy]\nstrict = True\n",
            "docs/conf.py": "project = 'sample'\n",
        }
    )
    out = _init(cli, repo)
    assert "lint\tpre-commit run --all-files --show-diff-on-failure\tinferred from " in out
    assert "typecheck\tmypy .\tinferred from setup.cfg" in out
    assert "tests\tpytest\tinferred from [tool.pytest.ini_options] in pyproject.toml" in out
    install, run = _job(repo, "lint")
    # with uv, in one resolve: the project, its dev extra and the tool it does not declare
    assert 'uv pip install --system --editable ".[dev]" pre-commit' in install
    install, run = _job(repo, "typecheck")
    assert "pip install mypy" not in install  # declared in the dev extra
    install, run = _job(repo, "docs-validation")
    assert run == "sphinx-build -W -b html docs docs/_build/html"
    assert 'uv pip install --system --editable ".[dev]" sphinx' in install
    install, _ = _job(repo, "package-build")
    assert "--editable" not in install  # tagship's own checks need tagship alone


def test_flake8_tox_mkdocs_and_a_dependency_group(cli: Cli, make_repo: MakeRepo) -> None:
    pyproject = BASE + '\n[dependency-groups]\ndev = ["tox", "flake8", "mkdocs"]\n'
    repo = make_repo(
        {
            "pyproject.toml": pyproject,
            "README.md": README,
            "tox.ini": "[tox]\nenv_list = py\n[testenv]\ncommands = pytest\n[flake8]\nmax=1\n",
            "mkdocs.yml": "site_name: sample\n",
        }
    )
    out = _init(cli, repo)
    assert "lint\tflake8\tinferred from tox.ini" in out
    assert "tests\ttox -e py\tinferred from tox.ini" in out
    install, run = _job(repo, "docs-validation")
    assert run == "mkdocs build --strict"
    assert "uv pip install --system --editable . --group dev" in install
    assert "pip>=25.1" not in install  # uv reads PEP 735 groups itself
    assert "pip install mkdocs" not in install


def test_requirement_files_count_as_declared(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo(
        {
            "pyproject.toml": BASE + "\n[tool.ruff]\n",
            "README.md": README,
            "requirements-dev.txt": "ruff==0.8.0\npytest\n",
            "tests/test_x.py": "def test_x() -> None:\n    pass\n",
        }
    )
    out = _init(cli, repo)
    assert "tests\tpytest\tinferred from tests/ and pytest among" in out
    install, _ = _job(repo, "lint")
    assert "-r requirements-dev.txt" in install
    assert "pip install ruff" not in install


def test_written_commands_win_and_empty_means_skipped(cli: Cli, make_repo: MakeRepo) -> None:
    pyproject = BASE + '\n[tool.tagship.checks]\nlint = "make lint"\ndocs-validation = ""\n'
    repo = make_repo({"pyproject.toml": pyproject, "README.md": README, "ruff.toml": ""})
    out = _init(cli, repo)
    assert "lint\tmake lint\t[tool.tagship.checks] (pyproject)" in out
    assert "docs-validation\t(skipped by policy)" in out
    (step,) = _ci(repo)["jobs"]["docs-validation"]["steps"]
    assert step["run"] == (
        'echo "docs-validation is skipped by policy (docs-validation = \\"\\" in pyproject.toml)"'
    )


def test_local_checks_run_the_inferred_commands(cli: Cli, make_repo: MakeRepo) -> None:
    pyproject = BASE + '\n[tool.tagship]\nrequired-checks = ["tests", "docs-validation"]\n'
    repo = make_repo(
        {
            "pyproject.toml": pyproject,
            "README.md": README,
            "tests/__init__.py": "",
            "tests/test_ok.py": "import unittest\n\n\nclass T(unittest.TestCase):\n"
            "    def test_ok(self) -> None:\n        self.assertTrue(True)\n",
        }
    )
    result = cli("-C", str(repo.path), "checks", "--local")
    assert result.code == 0, result.out + result.err
    assert "python -m unittest discover -s tests" in result.out + result.err


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"README.md": README}, None),
        ({"README.rst": "Title\n=====\n\nText.\n"}, None),
        ({"README.rst": "Title\n===\n\n.. unknown-directive::\n"}, "does not render"),
        ({}, "cannot"),
    ],
)
def test_check_docs(
    cli: Cli, make_repo: MakeRepo, files: dict[str, str], expected: str | None
) -> None:
    readme = next(iter(files), "README.md")
    pyproject = BASE.replace('readme = "README.md"', f'readme = "{readme}"')
    repo = make_repo({"pyproject.toml": pyproject, **files})
    result = cli("-C", str(repo.path), "check-docs")
    if expected is None:
        assert result.code == 0, result.err
        assert f"ok\t{readme} renders on PyPI" in result.out
    else:
        assert expected in assert_refused(result, 1)


def test_check_docs_requires_the_docs_files_to_exist(cli: Cli, make_repo: MakeRepo) -> None:
    pyproject = BASE + '\n[tool.tagship]\ndocs-files = ["docs/*.md"]\n'
    repo = make_repo({"pyproject.toml": pyproject, "README.md": README})
    line = assert_refused(cli("-C", str(repo.path), "check-docs"), 1)
    assert "docs-files 'docs/*.md' matches no file" in line
