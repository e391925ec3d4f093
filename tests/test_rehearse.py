"""`tagship rehearse`: the user's own project released in a throwaway copy against real local
indexes (real git, real builds, real pypiserver), and the user's repository, its origin and
its work tree byte for byte as they were, whatever happened."""

from __future__ import annotations

import hashlib
import json
import re
import socket
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import git
from ledger_kit import publish_event
from release_world import FAST_CHECKS
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import append_event
from tagship.adapters.process import run
from tagship.flows.sample import BACKENDS, SampleIndex, check_lines
from tagship.flows.stand_ins import ci_identity
from tagship.flows.workspace_sample import Member, create_workspace_sample

if TYPE_CHECKING:
    from conftest import Cli, CliResult, MakeRepo, Repo

pytestmark = pytest.mark.integration

MERGE = "Merge pull request #7 from someone/loud\n\nAdd loud\n\nRelease-Label: release:minor"


def _pyproject(
    backend: str, version: str, extra: str = "", checks: dict[str, str] = FAST_CHECKS
) -> str:
    requires, entry = BACKENDS[backend]
    return (
        f'[build-system]\nrequires = [{requires}]\nbuild-backend = "{entry}"\n\n'
        f'[project]\nname = "rehearsed-pkg"\nversion = "{version}"\ndescription = "A sample"\n'
        f'readme = "README.md"\nrequires-python = ">=3.10"\nlicense = "MIT"\n\n'
        f"[tool.tagship]\n{extra}\n[tool.tagship.checks]\n{check_lines(checks)}\n"
    )


def _files(
    backend: str, version: str, extra: str = "", checks: dict[str, str] = FAST_CHECKS
) -> dict[str, str]:
    return {
        "pyproject.toml": _pyproject(backend, version, extra, checks),
        "README.md": "# rehearsed-pkg\n",
        ".gitignore": "dist/\n*.egg-info/\nbuild/\n",
        "src/rehearsed_pkg/__init__.py": 'def greet() -> str:\n    return "hi"\n',
    }


def _with_merged_pull(repo: Repo, branch: str) -> None:
    """A labelled pull request merged after the release, as GitHub merges it."""
    git(repo.path, "switch", "--quiet", "--create", "loud")
    repo.write("src/rehearsed_pkg/loud.py", "LOUD = True\n")
    repo.commit("Add loud")
    git(repo.path, "switch", "--quiet", branch)
    git(repo.path, "merge", "--quiet", "--no-ff", "loud", "-m", MERGE)
    git(repo.path, "branch", "--quiet", "-D", "loud")
    repo.push(branch)


def _tree_digest(*roots: Path) -> dict[str, str]:
    """Every file under `roots` (.git included) and its SHA-256: byte for byte."""
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for root in roots
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _state(repo: Repo) -> tuple[str, str, str, dict[str, str]]:
    return (
        git(repo.path, "for-each-ref", "--format=%(refname) %(objectname)"),
        git(repo.path, "status", "--porcelain", "--untracked-files=all"),
        git(repo.path, "config", "--local", "--list"),
        _tree_digest(repo.path, repo.origin),
    )


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary directory rehearse makes its copy in: empty again afterwards."""
    directory = tmp_path / "scratch"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def _ports_closed(result: CliResult) -> None:
    ports = set(re.findall(r"http://127\.0\.0\.1:(\d+)/simple/", result.out + result.err))
    assert ports
    for port in ports:
        with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
            sock.connect(("127.0.0.1", int(port)))


def test_hatchling_release_rehearsed_with_a_dirty_tree(
    make_repo: MakeRepo, cli: Cli, scratch: Path
) -> None:
    repo = make_repo(_files("hatchling", "0.1.0"))
    repo.tag("v0.1.0", push=True)
    # the ledger of an earlier release from CI, whose run id a stand-in job must not reuse
    released = git(repo.path, "rev-parse", "HEAD")
    ci = ci_identity({}, "v0.1.0", released)
    append_event(Git(repo.path), publish_event("0.1.0", released), ci)
    _with_merged_pull(repo, "main")
    repo.write("README.md", "# rehearsed-pkg\n\nnot committed\n")
    repo.write("notes.txt", "untracked\n")
    before = _state(repo)

    result = cli("-C", str(repo.path), "rehearse")

    assert result.code == 0, result.out + result.err
    # v0.1.0 is released: the next version is the one PR #7's label calls for
    assert "[passed] next version: 0.1.0 -> 0.2.0 (the version the release labels" in result.out
    for step in ("TestPyPI dry run", "tag", "release from CI", "audit", "ledger verify"):
        assert f"[passed] {step}: " in result.out
    assert "[passed] ledger verify: 9 records" in result.out  # the earlier one travelled too
    assert "2 uncommitted changes left out (README.md, notes.txt)" in result.out
    assert "rehearsed rehearsed-pkg 0.2.0 as v0.2.0" in result.out
    assert re.search(r"rehearsed_pkg-0\.2\.0-py3-none-any\.whl  [0-9a-f]{64}", result.out)
    assert re.search(r"rehearsed_pkg-0\.2\.0\.tar\.gz  [0-9a-f]{64}", result.out)
    assert "- Add loud (#7)" in result.out  # the draft Release's notes
    assert "a job in the environment `pypi` waits for its required reviewers" in result.out
    assert "[passed] your repository untouched" in result.out
    assert _state(repo) == before
    assert list(scratch.iterdir()) == []
    _ports_closed(result)


def test_setuptools_on_master_with_bare_tags(make_repo: MakeRepo, cli: Cli, scratch: Path) -> None:
    repo = make_repo(_files("setuptools", "1.2.3", 'tag-format = "{version}"\n'))
    git(repo.path, "branch", "--quiet", "-m", "main", "master")
    git(repo.path, "config", "remote.origin.url", "git@github.com:someone/rehearsed.git")
    git(repo.path, "config", "remote.origin.pushurl", str(repo.origin))
    git(repo.path, "push", "--quiet", str(repo.origin), "master")
    repo.write("pyproject.toml", repo.path.joinpath("pyproject.toml").read_text().replace(
        "[tool.tagship]\n", '[tool.tagship]\nrelease-branch = "master"\n'
    ))  # fmt: skip
    repo.commit("release from master")
    repo.tag("1.2.3")
    git(repo.path, "push", "--quiet", str(repo.origin), "master", "--tags")
    before = _state(repo)

    result = cli("-C", str(repo.path), "rehearse", "--bump", "patch", "--format", "json", "--keep")

    assert result.code == 0, result.out + result.err
    report = json.loads(result.out)
    assert (report["ok"], report["flow"]) == (True, "rehearse")
    done = report["rehearsal"]
    assert (done["version"], done["tag"], done["branch"]) == ("1.2.4", "1.2.4", "master")
    assert sorted(f["name"] for f in done["files"]) == [
        "rehearsed_pkg-1.2.4-py3-none-any.whl",
        "rehearsed_pkg-1.2.4.tar.gz",
    ]
    # the tag's job runs in the user's GitHub repository, which the publishers must name
    assert any("owner someone, repository rehearsed" in line for line in done["github"])
    assert any("pushes 1.2.4 to git@github.com:someone/rehearsed.git" in g for g in done["github"])
    kept = Path(report["kept"])
    assert kept.parent == scratch
    assert f"the rehearsal's files are in {kept}" in result.err
    work = kept / "repository" / "work"
    assert git(work, "tag", "--list", "1.2.4") == "1.2.4"
    assert (kept / "indexes" / "pypi" / "rehearsed_pkg-1.2.4.tar.gz").is_file()
    assert _state(repo) == before


def test_a_closed_gate_stops_with_its_code_and_leaves_nothing(
    make_repo: MakeRepo, cli: Cli, scratch: Path
) -> None:
    repo = make_repo(_files("hatchling", "0.1.0"))
    repo.tag("v0.1.0", push=True)
    repo.commit("a fix released from elsewhere")
    repo.tag("v0.1.1", push=True)  # the patch release the bump will collide with
    before = _state(repo)

    result = cli("-C", str(repo.path), "rehearse", "--bump", "patch")

    assert result.code == 1
    assert "[failed] TestPyPI dry run: gate 'version is new' is closed" in result.out
    # the one line of the real dry run's gate, once
    assert len(result.err.strip().splitlines()) == 1
    gate = "gate 'version is new' is closed: tag v0.1.1 already exists: the dry run is for "
    assert f"tagship: error: {gate}the next version, bump it" in result.err
    assert "Traceback" not in result.out + result.err
    assert "[passed] tag:" not in result.out
    assert _state(repo) == before
    assert list(scratch.iterdir()) == []
    _ports_closed(result)
    as_json = cli("-C", str(repo.path), "rehearse", "--bump", "patch", "--format", "json")
    assert as_json.code == 1
    report = json.loads(as_json.out)
    assert (report["ok"], report["rehearsal"]) == (False, None)
    assert report["steps"][-1]["name"] == "TestPyPI dry run"
    assert report["steps"][-1]["status"] == "failed"
    assert report["error"]["message"].startswith("gate 'version is new' is closed")
    assert list(scratch.iterdir()) == []


def test_bump_and_version_together_are_refused(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo(_files("hatchling", "0.1.0"))
    result = cli("-C", str(repo.path), "rehearse", "--bump", "patch", "--version", "0.1.1")
    assert result.code == 2
    assert "--bump and --version both choose the version" in result.err


def test_one_package_of_several(tmp_path: Path, cli: Cli, scratch: Path) -> None:
    production = SampleIndex("pypi", "https://upload.pypi.org/legacy/", "https://pypi.org/simple/")
    members = (Member("ws-core"), Member("ws-app", depends=(("ws-core", ">=0.1"),)))
    sample = create_workspace_sample(
        tmp_path / "ws", members=members, indexes=[production], checks=FAST_CHECKS, runner=run
    )
    refs = git(sample.work, "for-each-ref", "--format=%(refname) %(objectname)")

    result = cli(
        "-C", str(sample.work), "--package", "ws-core", "rehearse", "--bump", "minor",
        "--skip-checks",
    )  # fmt: skip

    assert result.code == 0, result.out + result.err
    assert "rehearsed ws-core 0.2.0 as ws-core-v0.2.0" in result.out
    assert "ws_app" not in result.out  # the other package is not released
    assert "not rehearsed: the required checks (--skip-checks)" in result.out
    assert git(sample.work, "for-each-ref", "--format=%(refname) %(objectname)") == refs
    assert list(scratch.iterdir()) == []
    unchosen = cli("-C", str(sample.work), "rehearse", "--bump", "minor")
    assert unchosen.code == 2  # as every command in a repository of several: choose one
    assert "--package" in unchosen.err
    assert "[failed] project: " in unchosen.out


def test_a_change_to_the_repository_meanwhile_is_caught(
    tmp_path: Path, make_repo: MakeRepo, cli: Cli, scratch: Path
) -> None:
    # a check that writes by absolute path reaches past the copy, into the user's work tree
    stray = tmp_path / "project" / "stray.txt"
    checks = {**FAST_CHECKS, "tests": f"touch {stray}"}
    repo = make_repo(_files("hatchling", "0.1.0", checks=checks))

    result = cli("-C", str(repo.path), "rehearse")

    assert result.code == 4, result.out + result.err
    assert "[failed] your repository untouched: the repository at " in result.out
    assert "changed while it was rehearsed" in result.err
    assert stray.is_file()
    assert list(scratch.iterdir()) == []
