"""A project that lacks a linter, a type checker or a test runner gets explicit, visible skips:
`init` says so and writes `""` with a comment, each job passes saying what to set (branch
protection requiring the name stays satisfiable), `config` and `checks --local` agree. A
member of a repository of several packages counts the root's lint, type-check and pytest
configuration. Real repositories, the real CLI, the generated jobs run by bash and by the
workflow harness."""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from buildkit import sample_pyproject
from harness_samples import GITIGNORE, SAMPLES, Sample
from hostile import assert_refused
from tagship.core.pyproject import loads
from test_workflow_harness import (  # noqa: F401 - indexes and project are fixtures
    CHECK_JOBS,
    Project,
    _head,
    indexes,
    project,
)
from workflow_harness import push_event

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, MakeRepo, Repo

BASE = sample_pyproject("bare", '"hatchling"', "hatchling.build", "1.0.0", "A bare project")
README = "# bare\n\nA project with no tools.\n"
MESSAGES = {
    "lint": "no linter configured: set [tool.tagship.checks] lint = "
    '"..." in pyproject.toml to run one',
    "typecheck": "no type checker configured: set [tool.tagship.checks] typecheck = "
    '"..." in pyproject.toml to run one',
    "tests": "no test runner configured: set [tool.tagship.checks] tests = "
    '"..." in pyproject.toml to run one',
}


def _init(cli: Cli, repo: Repo) -> str:
    result = cli("-C", str(repo.path), "init")
    assert result.code == 0, result.err
    return result.out


def _jobs(repo: Repo) -> dict[str, Any]:
    data = yaml.safe_load((repo.path / ".github/workflows/ci.yml").read_text())
    assert isinstance(data, dict)
    jobs = data["jobs"]
    assert isinstance(jobs, dict)
    return jobs


def _config(cli: Cli, repo: Repo, *pre: str) -> dict[str, tuple[str, str]]:
    result = cli("-C", str(repo.path), *pre, "config", "--format", "json")
    assert result.code == 0, result.err
    return {row["key"]: (row["value"], row["source"]) for row in json.loads(result.out)["settings"]}


def _run_step(script: str, tmp_path: Path) -> tuple[int, str, str]:
    """Run a job's script as the runner does (bash), with a step summary file."""
    summary = tmp_path / "summary.md"
    summary.write_text("")
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        env={"PATH": "/usr/bin:/bin", "GITHUB_STEP_SUMMARY": str(summary)},
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout, summary.read_text()


def test_init_writes_visible_skips_that_pass(cli: Cli, make_repo: MakeRepo, tmp_path: Path) -> None:
    repo = make_repo({"pyproject.toml": BASE, "README.md": README})
    out = _init(cli, repo)
    assert (
        "note: could not infer lint, typecheck, tests (no linter, no type checker, no test "
        "runner found): each is a job that passes saying so; set its command under "
        "[tool.tagship.checks] in pyproject.toml to run one\n"
    ) in out
    assert "typecheck\t(skipped: nothing found)\tno mypy or pyright configuration\n" in out
    assert "lint\t(skipped: nothing found)\tno pre-commit, ruff or flake8 configuration\n" in out
    assert "tests\t(skipped: nothing found)\tno pytest, tox or nox configuration" in out
    assert "mypy ." not in out
    assert "docs-validation\ttagship check-docs\tinferred from no Sphinx or MkDocs" in out
    jobs = _jobs(repo)
    for check, message in MESSAGES.items():
        job = jobs[check]
        assert job["name"] == check  # the exact name branch protection requires
        (step,) = job["steps"]  # nothing installed, nothing checked out
        code, stdout, summary = _run_step(step["run"], tmp_path)
        assert code == 0
        assert stdout == f"::notice::{message}\n"
        assert summary == f"{message}\n"
    # the decision is written where it is changed, with why
    text = (repo.path / "pyproject.toml").read_text()
    assert 'typecheck = "" # no type checker found: the job passes saying so; ' in text
    assert 'tests = "" # no test runner found: the job passes saying so; ' in text
    checks = loads(text)["tool"]["tagship"]["checks"]
    assert (checks["lint"], checks["typecheck"], checks["tests"]) == ("", "", "")
    # init again: the same workflows, the skip read back from the block
    repo.commit("tagship init")
    again = cli("-C", str(repo.path), "init", "--check")
    assert again.code == 0, again.out + again.err
    out = _init(cli, repo)
    assert "could not infer" not in out
    assert "typecheck\t(skipped: nothing found)\t[tool.tagship.checks] (pyproject)\n" in out
    assert _config(cli, repo)["checks.typecheck"] == ("(skipped: nothing found)", "pyproject")


def test_config_says_what_runs_not_a_default_that_cannot(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo({"pyproject.toml": BASE + "\n[tool.mypy]\nstrict = true\n"})
    rows = _config(cli, repo)
    assert rows["checks.typecheck"] == ("mypy .", "inferred from [tool.mypy] in pyproject.toml")
    assert rows["checks.lint"] == (
        "(skipped: nothing found)",
        "no pre-commit, ruff or flake8 configuration",
    )
    assert rows["checks.tests"][0] == "(skipped: nothing found)"
    assert rows["checks.package-build"] == ("tagship build", "tagship")
    assert not any(v in {"ruff check .", "pytest"} for v, _ in rows.values())
    # a command given on the command line is what runs, and says where it came from
    rows = _config(cli, repo, "--set", 'checks.lint="flake8 src"')
    assert rows["checks.lint"] == ("flake8 src", "command line")
    # a check required but with nothing behind it still fails (it is no tool's)
    repo.write("pyproject.toml", BASE + '\n[tool.tagship]\nrequired-checks = ["security"]\n')
    rows = _config(cli, repo)
    assert rows["checks.security"] == ("(none found: the job fails until one is set)", "-")


def test_a_written_skip_with_the_tool_present_stays_a_policy(cli: Cli, make_repo: MakeRepo) -> None:
    pyproject = BASE + '\n[tool.mypy]\nstrict = true\n\n[tool.tagship.checks]\ntypecheck = ""\n'
    repo = make_repo({"pyproject.toml": pyproject, "README.md": README})
    out = _init(cli, repo)
    assert "typecheck\t(skipped by policy)\t[tool.tagship.checks] (pyproject)\n" in out
    (step,) = _jobs(repo)["typecheck"]["steps"]
    assert step["run"] == (
        'echo "typecheck is skipped by policy (typecheck = \\"\\" in pyproject.toml)"'
    )
    assert "could not infer lint, tests " in out  # the block exists: nothing written to it
    assert pyproject == (repo.path / "pyproject.toml").read_text()


def test_local_checks_skip_a_tool_the_project_lacks(cli: Cli, make_repo: MakeRepo) -> None:
    pyproject = BASE + '\n[tool.tagship]\nrequired-checks = ["lint", "typecheck", "tests"]\n'
    repo = make_repo({"pyproject.toml": pyproject, "README.md": README})
    result = cli("-C", str(repo.path), "checks", "--local")
    assert result.code == 0, result.out + result.err
    for check, message in MESSAGES.items():
        assert f"{check}\tskipped\t{message}" in result.out
    # the project gains a type checker: the gate runs it (and it fails here)
    repo.write("mypy.ini", "[mypy]\nstrict = True\n")
    repo.write("src/bare/__init__.py", "def f(x):\n    return x\n")
    repo.commit("add mypy")
    failed = assert_refused(cli("-C", str(repo.path), "checks", "--local"), 1)
    assert "typecheck failed" in failed


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.id for s in SAMPLES])
def test_a_sample_with_every_tool_skips_nothing(
    cli: Cli, make_repo: MakeRepo, sample: Sample
) -> None:
    """The harness samples name a tool for every check: their init output is what it was
    before skips existed (nothing skipped, no note, no `""` written)."""
    repo = make_repo(sample.files)
    out = _init(cli, repo)
    assert "could not infer" not in out
    assert "(skipped" not in out
    assert '= ""' not in (repo.path / "pyproject.toml").read_text()
    assert "GITHUB_STEP_SUMMARY" not in (repo.path / ".github/workflows/ci.yml").read_text()


# ----------------------------------------------------------------- a repository of several


WORKSPACE_ROOT = """\
[tool.uv.workspace]
members = ["packages/*"]

[tool.tagship]
required-checks = ["lint", "typecheck", "tests"]

[tool.pytest.ini_options]
addopts = "-q"
"""


def _member(name: str, extra: str = "", *, tests: bool = True) -> dict[str, str]:
    pyproject = sample_pyproject(name, '"hatchling"', "hatchling.build", "0.1.0", "A member")
    files = {
        f"packages/{name}/pyproject.toml": pyproject + extra,
        f"packages/{name}/README.md": f"# {name}\n",
        f"packages/{name}/src/{name}/__init__.py": '"""A member."""\n\nprint("loaded")\n',
    }
    if tests:
        files[f"packages/{name}/tests/test_it.py"] = "def test_it() -> None:\n    pass\n"
    return files


def test_members_inherit_the_roots_lint_and_test_configuration(
    cli: Cli, make_repo: MakeRepo
) -> None:
    files = {
        ".gitignore": GITIGNORE,
        "pyproject.toml": WORKSPACE_ROOT,
        "ruff.toml": '[lint]\nselect = ["T20"]\n',  # print() is an error, here only
        **_member("alpha"),
        **_member("beta", tests=False),
        **_member("gamma", "\n[tool.ruff]\nline-length = 90\n\n[tool.mypy]\nstrict = true\n"),
    }
    repo = make_repo(files)
    out = _init(cli, repo)
    root = "inferred from ruff.toml at the repository root"
    assert f"lint (alpha)\truff check .\t{root}\n" in out
    pytest_root = "inferred from [tool.pytest.ini_options] in pyproject.toml at the repository root"
    assert f"tests (alpha)\tpytest\t{pytest_root}\n" in out
    # no tests of its own: the root's pytest configuration has nothing to run for it
    assert "tests (beta)\t(skipped: nothing found)\t" in out
    # a member's own configuration comes first
    assert "lint (gamma)\truff check .\tinferred from [tool.ruff] in pyproject.toml\n" in out
    assert "typecheck (gamma)\tmypy .\tinferred from [tool.mypy] in pyproject.toml\n" in out
    assert (
        "note: beta: could not infer typecheck, tests (no type checker, no test runner found)"
        in out
    )
    assert "note: gamma: could not infer" not in out
    # `config` in a member says what its job runs
    alpha = repo.path / "packages" / "alpha"
    rows = _config(cli, repo, "--package", "alpha")
    assert rows["checks.lint"] == ("ruff check .", root)
    # and the gate runs it in the member's directory, where ruff reads the root's rules
    failed = assert_refused(cli("-C", str(alpha), "checks", "--local"), 1)
    assert "lint failed" in failed
    repo.write("packages/alpha/src/alpha/__init__.py", '"""A member."""\n')
    repo.commit("no print")
    passed = cli("-C", str(alpha), "checks", "--local")
    assert passed.code == 0, passed.out + passed.err
    assert "lint\tpassed\truff check ." in passed.out
    assert "tests\tpassed\tpytest" in passed.out


def test_a_root_pre_commit_configuration_counts_for_members(cli: Cli, make_repo: MakeRepo) -> None:
    files = {
        "pyproject.toml": WORKSPACE_ROOT,
        ".pre-commit-config.yaml": "repos: []\n",
        **_member("alpha"),
        **_member("beta"),
    }
    out = _init(cli, make_repo(files))
    for name in ("alpha", "beta"):
        assert (
            f"lint ({name})\tpre-commit run --all-files --show-diff-on-failure\tinferred from "
            ".pre-commit-config.yaml at the repository root\n"
        ) in out


# ------------------------------------------------------------ the generated jobs, run


NO_TOOLS = Sample(
    "no-tools",
    "sample-bare",
    {
        ".gitignore": GITIGNORE,
        "README.md": "# sample-bare\n\nA project with no linter, type checker or tests.\n",
        "pyproject.toml": sample_pyproject(
            "sample-bare", '"hatchling"', "hatchling.build", "0.1.0", "A bare sample"
        ),
        "src/sample_bare/__init__.py": '"""A bare sample."""\n',
    },
    "0.1.0",
)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("sample", [NO_TOOLS], ids=[NO_TOOLS.id])
def test_the_skips_pass_on_the_runner(project: Project) -> None:  # noqa: F811 - a fixture
    """ci.yml of a project without tools, run job by job: every required check's job is
    there under its name and succeeds, the skipped ones saying why in their step summary."""
    sha = _head(project)
    ci = project.run("ci.yml", push_event(project.full, "refs/heads/main", sha))
    jobs = {job.name: job for job in ci.jobs.values()}
    assert set(jobs) == CHECK_JOBS
    assert all(job.conclusion == "success" for job in jobs.values())
    for check, message in MESSAGES.items():
        assert jobs[check].summary == f"{message}\n"
        assert f"::notice::{message}" in jobs[check].steps[-1].log
