"""`tagship init`: generated workflows, the publishers table, idempotency and drift."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from tagship.ci.github.workflow_model import parse_workflow
from tagship.core.config import REQUIRED_CHECKS
from tagship.core.pyproject import loads
from tagship.core.yaml_text import Commented, dump

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, MakeRepo, Repo

CHARMOS = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "charmos"
version = "0.4.22"
description = "The Charm SDK"

# keep this comment and the ruff settings byte for byte
[tool.ruff]
line-length = 100
"""
WORKFLOWS = ("ci.yml", "publish-pypi.yml", "publish-testpypi.yml")
SHA_PIN = re.compile(r"^\s+(?:- )?uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


@pytest.fixture
def charmos(make_repo: MakeRepo) -> Repo:
    return make_repo({"pyproject.toml": CHARMOS}, name="charm")


def _init(cli: Cli, repo: Repo, *extra: str) -> str:
    result = cli("-C", str(repo.path), "init", "--owner", "CharmAIOS", "--repo", "Charm", *extra)
    assert result.code == 0, result.err
    return result.out


def _workflow(repo: Repo, name: str) -> dict[Any, Any]:
    data = yaml.safe_load((repo.path / ".github/workflows" / name).read_text())
    assert isinstance(data, dict)
    return data


def test_publishers_table_for_charmos(cli: Cli, charmos: Repo) -> None:
    out = _init(cli, charmos)
    assert "pypi\tcharmos\tCharmAIOS\tCharm\tpublish-pypi.yml\tpypi" in out
    assert "testpypi\tcharmos\tCharmAIOS\tCharm\tpublish-testpypi.yml\ttestpypi" in out
    assert re.search(r"^pypi\trequired reviewers", out, re.MULTILINE)
    for name in WORKFLOWS:
        assert f"wrote .github/workflows/{name}" in out


def test_init_is_idempotent_and_check_passes(cli: Cli, charmos: Repo) -> None:
    _init(cli, charmos)
    before = {
        p: p.read_bytes() for p in charmos.path.rglob("*") if p.is_file() and ".git/" not in str(p)
    }
    second = _init(cli, charmos)
    assert "wrote" not in second
    after = {
        p: p.read_bytes() for p in charmos.path.rglob("*") if p.is_file() and ".git/" not in str(p)
    }
    assert after == before
    check = cli("-C", str(charmos.path), "init", "--check")
    assert check.code == 0, check.err
    assert "6 files match the config" in check.out


def test_check_shows_a_diff_and_exits_1_on_drift(cli: Cli, charmos: Repo) -> None:
    _init(cli, charmos)
    target = charmos.path / ".github/workflows/publish-pypi.yml"
    edited = target.read_text().replace("name: pypi\n", "name: production\n")
    target.write_text(edited)
    (charmos.path / ".github/workflows/ci.yml").unlink()
    result = cli("-C", str(charmos.path), "init", "--check")
    assert result.code == 1
    assert "-      name: production\n+      name: pypi\n" in result.out
    assert "--- /dev/null\n+++ b/.github/workflows/ci.yml" in result.out
    assert result.err.count("\n") == 1
    assert "2 files differ" in result.err
    assert target.read_text() == edited  # --check writes nothing
    assert not (charmos.path / ".github/workflows/ci.yml").exists()


def test_config_block_is_added_and_other_bytes_kept(cli: Cli, charmos: Repo) -> None:
    _init(cli, charmos)
    text = (charmos.path / "pyproject.toml").read_text()
    assert text.startswith(CHARMOS)
    tagship = loads(text)["tool"]["tagship"]
    assert tagship["github"] == {"owner": "CharmAIOS", "repository": "Charm"}
    assert tagship["tag-format"] == "v{version}"
    # what was inferred is written down to edit; charmos names no typecheck or test tool,
    # so those two are written as visible skips (tests/test_missing_tools.py)
    assert set(tagship["checks"]) == set(REQUIRED_CHECKS)
    assert tagship["checks"]["typecheck"] == tagship["checks"]["tests"] == ""
    assert tagship["checks"]["lint"] == "ruff check ."
    assert "check-setup" not in tagship  # inferred from the project each time


def test_crlf_pyproject_keeps_its_bytes_and_line_endings(cli: Cli, charmos: Repo) -> None:
    crlf = CHARMOS.replace("\n", "\r\n").encode()
    (charmos.path / "pyproject.toml").write_bytes(crlf)
    _init(cli, charmos)
    after = (charmos.path / "pyproject.toml").read_bytes()
    assert after.startswith(crlf)
    assert b"[tool.tagship]\r\n" in after
    assert after.count(b"\n") == after.count(b"\r\n")  # the added block is CRLF too
    check = cli("-C", str(charmos.path), "init", "--check")
    assert check.code == 0, check.out + check.err
    _init(cli, charmos)
    assert (charmos.path / "pyproject.toml").read_bytes() == after


def test_existing_block_is_left_alone(cli: Cli, make_repo: MakeRepo) -> None:
    own = CHARMOS + '\n[tool.tagship]\nrelease-branch = "main"  # ours\n'
    repo = make_repo({"pyproject.toml": own})
    assert cli("-C", str(repo.path), "init").code == 0
    assert (repo.path / "pyproject.toml").read_text() == own


def test_ci_has_one_job_per_required_check(cli: Cli, charmos: Repo) -> None:
    _init(cli, charmos)
    ci = _workflow(charmos, "ci.yml")
    jobs = ci["jobs"]
    assert isinstance(jobs, dict)
    six = [c for c in REQUIRED_CHECKS if c != "release-label"]
    assert list(jobs) == six
    assert [job["name"] for job in jobs.values()] == six
    assert jobs["lint"]["steps"][-1]["run"] == "ruff check ."
    # label changes do not rerun the six checks; a merge queue runs them on its commit
    assert ci[True]["pull_request"] == {"types": ["opened", "synchronize", "reopened"]}
    assert "merge_group" in ci[True]
    assert "pull_request_target" not in (charmos.path / ".github/workflows/ci.yml").read_text()
    label = _workflow(charmos, "release-label.yml")
    assert "labeled" in label[True]["pull_request"]["types"]
    assert "merge_group" in label[True]
    (job,) = label["jobs"].values()
    assert job["name"] == "release-label"
    checked = [s for s in job["steps"] if s.get("run") == "tagship label-check"]
    assert checked[0]["if"] == "github.event_name == 'pull_request'"


def test_check_commands_come_from_config(cli: Cli, make_repo: MakeRepo) -> None:
    text = CHARMOS + '\n[tool.tagship.checks]\nlint = "flake8 src"\n'
    repo = make_repo({"pyproject.toml": text})
    assert cli("-C", str(repo.path), "init").code == 0
    jobs = _workflow(repo, "ci.yml")["jobs"]
    assert isinstance(jobs, dict)
    assert jobs["lint"]["steps"][-1]["run"] == "flake8 src"


def test_a_check_nothing_answers_for_is_a_job_that_says_what_to_set(
    cli: Cli, make_repo: MakeRepo
) -> None:
    text = CHARMOS + '\n[tool.tagship]\nrequired-checks = ["lint", "security"]\n'
    repo = make_repo({"pyproject.toml": text})
    result = cli("-C", str(repo.path), "init")
    assert result.code == 0, result.err
    assert "security\t(none found: the job fails until one is set)" in result.out
    (step,) = _workflow(repo, "ci.yml")["jobs"]["security"]["steps"]
    assert step["run"] == (
        "echo \"::error::no security command found: set security = '...' (or '' to skip it) "
        'under [tool.tagship.checks] in pyproject.toml"; exit 1'
    )


def test_publish_workflows_are_hardened(cli: Cli, charmos: Repo) -> None:
    _init(cli, charmos)
    for name, index in (("publish-pypi.yml", "pypi"), ("publish-testpypi.yml", "testpypi")):
        text = (charmos.path / ".github/workflows" / name).read_text()
        data = _workflow(charmos, name)
        assert data["permissions"] == {}
        jobs = data["jobs"]
        assert isinstance(jobs, dict)
        with_token = [j for j, job in jobs.items() if "id-token" in job["permissions"]]
        assert with_token == ["publish"]
        assert jobs["publish"]["environment"]["name"] == index
        runs = [step.get("run", "") for step in jobs["publish"]["steps"]]
        assert f"tagship publish --index {index} --record-to outbox/publish.jsonl" in runs
        # the job with the OIDC token may not write the repository: a later job records
        assert jobs["publish"]["permissions"]["contents"] == "read"
        assert "fetch-depth" not in jobs["publish"]["steps"][0]["with"]
        assert jobs["verify-install"]["permissions"] == {"contents": "read"}
        assert jobs["record"]["permissions"] == {"contents": "write"}
        assert jobs["record"]["needs"] == ["publish", "verify-install"]
        assert jobs["build"]["needs"] == "gate"
        assert "cache" not in text.replace("enable-cache: false", "")
        assert "uv pip install --system --require-hashes --no-deps -r " in text
        assert "${{" not in "".join(
            str(step.get("run", "")) for job in jobs.values() for step in job["steps"]
        )
        uses = [line for line in text.splitlines() if "uses:" in line]
        assert uses
        assert all(SHA_PIN.match(line) for line in uses), uses
        checkouts = [
            step
            for job in jobs.values()
            for step in job["steps"]
            if "checkout" in step.get("uses", "")
        ]
        assert all(step["with"]["persist-credentials"] is False for step in checkouts)
        assert "github.ref_name" in data["concurrency"]["group"]
    pypi = _workflow(charmos, "publish-pypi.yml")
    assert pypi[True] == {"push": {"tags": ["v*"]}}  # PyYAML reads the `on` key as YAML 1.1
    assert "tagship check-tag" in pypi["jobs"]["gate"]["steps"][-1]["run"]
    release = pypi["jobs"]["github-release"]
    assert release["permissions"] == {"contents": "write", "pull-requests": "write"}
    runs = [step.get("run", "") for step in release["steps"]]
    assert 'tagship github-release publish "$GITHUB_REF_NAME"' in runs
    assert 'tagship docs-links "$GITHUB_REF_NAME"' in runs
    testpypi = _workflow(charmos, "publish-testpypi.yml")
    assert testpypi[True] == {"workflow_dispatch": {}}
    assert "github-release" not in testpypi["jobs"]


@pytest.mark.parametrize("flag", ["--owner", "--repo"])
def test_bad_github_names_are_usage_errors(cli: Cli, charmos: Repo, flag: str) -> None:
    result = cli("-C", str(charmos.path), "init", flag, "a/b")
    assert result.code == 2
    assert "is not a GitHub name" in result.err


def test_unknown_owner_is_said_in_the_table(cli: Cli, charmos: Repo) -> None:
    result = cli("-C", str(charmos.path), "init")
    assert result.code == 0
    assert "(unknown: pass --owner/--repo)" in result.out


def test_yaml_writer_round_trips(tmp_path: Path) -> None:
    node = {
        "on": {"push": {"tags": ["v*"]}},
        "empty": {},
        "texts": [
            "yes",
            "3.10",
            "a: b",
            "it's",
            'say "hi"',
            " padded",
            "${{ x }}",
            "multi\nline\n",
        ],
        "flag": False,
        "pinned": Commented("owner/action@" + "0" * 40, "v1.2.3"),
    }
    text = dump(node, "header")
    assert text.startswith("# header\non:\n")
    assert "pinned: owner/action@" + "0" * 40 + " # v1.2.3" in text
    parsed = parse_workflow("x.yml", text).data
    assert parsed["texts"] == node["texts"]
    assert parsed["empty"] == {}
    assert parsed["flag"] == "false"
    (tmp_path / "x.yml").write_text(text)
    assert yaml.safe_load(text)["texts"] == node["texts"]


def test_a_check_command_must_be_text(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo({"pyproject.toml": CHARMOS + "\n[tool.tagship.checks]\nlint = 3\n"})
    result = cli("-C", str(repo.path), "init")
    assert result.code == 2
    assert "`tool.tagship.checks.lint`" in result.err
    assert "must be a string" in result.err


def test_a_version_from_git_tags_gets_a_version_input_for_the_dry_run(
    make_repo: MakeRepo, cli: Cli
) -> None:
    pyproject = (
        '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "charmos"\ndynamic = ["version"]\n[tool.hatch.version]\nsource = "vcs"\n'
        '[tool.tagship.github]\nowner = "CharmAIOS"\nrepository = "Charm"\n'
    )
    repo = make_repo({"pyproject.toml": pyproject}, name="scm")
    assert cli("-C", str(repo.path), "init").code == 0
    dry_run = (repo.path / ".github" / "workflows" / "publish-testpypi.yml").read_text()
    assert "inputs:\n      version:" in dry_run
    assert "SETUPTOOLS_SCM_PRETEND_VERSION: ${{ inputs.version }}" in dry_run
    release = (repo.path / ".github" / "workflows" / "publish-pypi.yml").read_text()
    assert "inputs.version" not in release
    doctor = cli("-C", str(repo.path), "doctor")
    assert doctor.code == 0, doctor.out + doctor.err


def test_init_warns_when_the_backend_cannot_rebuild_the_same_sdist(
    make_repo: MakeRepo, cli: Cli
) -> None:
    pyproject = (
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "charmos"\nversion = "0.4.22"\n'
        '[tool.tagship]\nrelease-artifacts = "rebuild"\n'
        '[tool.tagship.github]\nowner = "CharmAIOS"\nrepository = "Charm"\n'
    )
    repo = make_repo({"pyproject.toml": pyproject}, name="st")
    result = cli("-C", str(repo.path), "init")
    assert result.code == 0
    assert "note: setuptools sdists ignore SOURCE_DATE_EPOCH" in result.out
    assert "require-identical-rebuild = false" in result.out
    # promoting the dry run's files (the default), the rebuild is only compared: no note
    promoting = cli("-C", str(repo.path), "--set", "release-artifacts=promote", "init")
    assert promoting.code == 0
    assert "SOURCE_DATE_EPOCH" not in promoting.out


HAND_WRITTEN_CI = """\
# our own CI: Windows and macOS matter to us
name: tests
on: [push, pull_request]
jobs:
  tests:
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest, macos-latest]
    runs-on: ${{ matrix.os }}
    steps:
      - run: pytest
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: ruff check .
"""


def test_init_never_modifies_a_workflow_it_did_not_write(cli: Cli, charmos: Repo) -> None:
    ours = charmos.write(".github/workflows/ci.yml", HAND_WRITTEN_CI)
    before = ours.read_bytes()
    out = _init(cli, charmos)
    assert ours.read_bytes() == before
    assert "ci.yml was not written by tagship and stays as it is" in out
    generated = _workflow(charmos, "tagship-ci.yml")
    # the project's own `lint` and `tests` jobs are used, not repeated
    assert "lint" not in generated["jobs"]
    assert "tests" not in generated["jobs"]
    assert "typecheck" in generated["jobs"]
    assert "job lint in .github/workflows/ci.yml" in out
    assert cli("-C", str(charmos.path), "init", "--check").code == 0
    assert _init(cli, charmos).count("wrote") == 0  # a rerun changes nothing


def test_init_force_saves_the_foreign_file_beside(cli: Cli, charmos: Repo) -> None:
    ours = charmos.write(".github/workflows/ci.yml", HAND_WRITTEN_CI)
    before = ours.read_bytes()
    out = _init(cli, charmos, "--force")
    saved = charmos.path / ".github/workflows/ci.yml.tagship-saved"
    assert saved.read_bytes() == before
    assert "Generated by `tagship init`" in ours.read_text()
    assert "replaced" in out
    # a second --force finds its own file there now: nothing more is saved or replaced
    assert _init(cli, charmos, "--force").count("wrote") == 0


def test_a_taken_publish_workflow_name_moves_the_publisher(cli: Cli, charmos: Repo) -> None:
    theirs = charmos.write(".github/workflows/publish-pypi.yml", "name: ours\non: push\n")
    out = _init(cli, charmos)
    assert theirs.read_text() == "name: ours\non: push\n"
    assert "pypi\tcharmos\tCharmAIOS\tCharm\ttagship-publish-pypi.yml\tpypi" in out
    pyproject = loads((charmos.path / "pyproject.toml").read_text())
    assert pyproject["tool"]["tagship"]["indexes"]["pypi"]["workflow"] == "tagship-publish-pypi.yml"
    assert _workflow(charmos, "tagship-publish-pypi.yml")["name"] == "Publish to PyPI"
    assert _workflow(charmos, "publish-testpypi.yml")["name"] == "Publish to TestPyPI"
    assert cli("-C", str(charmos.path), "init", "--check").code == 0


@pytest.mark.parametrize(
    ("requires", "python"),
    [(">=3.10", "3.13"), (">=3.9,<3.12", "3.11"), ("==3.10.*", "3.10"), (">=3.14", "3.14")],
)
def test_the_workflows_python_comes_from_requires_python(
    cli: Cli, make_repo: MakeRepo, requires: str, python: str
) -> None:
    text = CHARMOS.replace('description = "The Charm SDK"\n', f'requires-python = "{requires}"\n')
    repo = make_repo({"pyproject.toml": text})
    assert cli("-C", str(repo.path), "init").code == 0
    for name in ("ci.yml", "publish-pypi.yml"):
        jobs = _workflow(repo, name)["jobs"]
        versions = {
            step["with"]["python-version"]
            for job in jobs.values()
            for step in job["steps"]
            if "setup-python" in step.get("uses", "")
        }
        assert versions == {python}


def test_an_impossible_requires_python_is_a_config_error(cli: Cli, make_repo: MakeRepo) -> None:
    text = CHARMOS.replace('description = "The Charm SDK"\n', 'requires-python = "<3.0"\n')
    repo = make_repo({"pyproject.toml": text})
    result = cli("-C", str(repo.path), "init")
    assert result.code == 2
    assert "satisfies requires-python '<3.0'" in result.err
    assert not (repo.path / ".github").exists()


def test_an_index_declared_not_official_gets_no_publish_workflow_and_init_says_so(
    cli: Cli, make_repo: MakeRepo
) -> None:
    text = CHARMOS + (
        "\n[tool.tagship.indexes.testpypi]\nofficial = false\n"
        'upload-url = "http://127.0.0.1:9/"\nsimple-url = "http://127.0.0.1:9/simple/"\n'
    )
    repo = make_repo({"pyproject.toml": text})
    result = cli("-C", str(repo.path), "init")
    assert result.code == 0, result.err
    assert "note: testpypi is declared official = false: no publish workflow" in result.out
    assert not (repo.path / ".github/workflows/publish-testpypi.yml").exists()
    assert (repo.path / ".github/workflows/publish-pypi.yml").exists()


def test_a_pyproject_with_out_of_order_tool_tables_gets_its_block(
    cli: Cli, make_repo: MakeRepo
) -> None:
    """[tool.x] tables split by another table (as in rich's pyproject.toml) keep their bytes."""
    text = (
        CHARMOS
        + '\n[tool.poetry]\nname = "x"\n\n[build-system2]\na = 1\n\n[tool.mypy]\nstrict = true\n'
    )
    repo = make_repo({"pyproject.toml": text})
    result = cli("-C", str(repo.path), "init")
    assert result.code == 0, result.err
    after = (repo.path / "pyproject.toml").read_text()
    assert loads(after)["tool"]["tagship"]["checks"]["typecheck"] == "mypy ."
    kept = after.splitlines()
    assert [line for line in text.splitlines() if line] == [
        line for line in kept if line and line in text.splitlines()
    ]
