"""`tagship audit` against a real local index (pypiserver), real git and the real ledger."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import pytest

from conftest import STATIC_PYPROJECT, Cli, MakeRepo, Repo, git
from servers import PypiServer, make_sdist, make_wheel, running_pypiserver, twine_upload
from tagship.adapters.git import Git
from tagship.adapters.http import Http, RetryPolicy
from tagship.adapters.ledger_store import LEDGER_FILE, LEDGER_REF, append_event
from tagship.core.errors import ServiceError
from tagship.core.ledger import Event, FileEntry, anchor_line
from tagship.steps.audit import audit_workspace
from tagship.workspace import open_workspace
from test_ledger import CI_ENV, rewrite_ledger

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

pytestmark = pytest.mark.integration


@pytest.fixture
def index(tmp_path: Path) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path / "packages") as server:
        yield server


@pytest.fixture
def project(make_repo: MakeRepo, index: PypiServer) -> Repo:
    config = (
        f'\n[tool.tagship.indexes.local]\nsimple-url = "{index.simple_url}"\n'
        f'upload-url = "{index.upload_url}"\n'
    )
    return make_repo({"pyproject.toml": STATIC_PYPROJECT + config})


def entries(files: list[Path]) -> tuple[FileEntry, ...]:
    return tuple(
        FileEntry(f.name, f.stat().st_size, hashlib.sha256(f.read_bytes()).hexdigest())
        for f in files
    )


def build(repo: Repo, version: str, payload: str = "") -> list[Path]:
    dist = repo.path.parent / "dist" / f"{version}{payload}"
    return [
        make_wheel(dist, "sample-pkg", version, payload),
        make_sdist(dist, "sample-pkg", version, payload),
    ]


def release(
    repo: Repo,
    index: PypiServer,
    version: str,
    *,
    env: Mapping[str, str] = CI_ENV,
    branch: str = "main",
    recorded: list[Path] | None = None,
) -> str:
    """Commit, record the publish as CI would, tag with the anchor, upload; the commit sha."""
    if branch != "main":
        git(repo.path, "switch", "--quiet", "-c", branch)
    commit = repo.commit(f"release {version}")
    repo.push(branch)
    files = build(repo, version)
    event = Event(
        "publish",
        "sample-pkg",
        version,
        tag=f"v{version}",
        commit=commit,
        index="local",
        files=entries(recorded or files),
    )
    record = append_event(Git(repo.path), event, env)
    git(repo.path, "tag", "-a", f"v{version}", "-m", f"v{version}\n\n{anchor_line(record.hash)}")
    repo.push(f"refs/tags/v{version}")
    twine_upload(index, *files)
    if branch != "main":
        git(repo.path, "switch", "--quiet", "main")
    return commit


def audit_json(cli: Cli, repo: Repo) -> tuple[int, dict[str, str], str]:
    result = cli("-C", str(repo.path), "audit", "--index", "local", "--format", "json")
    data = json.loads(result.out)
    return result.code, {v["version"]: v["status"] for v in data["versions"]}, result.err


def test_release_published_through_tagship_passes(
    project: Repo, index: PypiServer, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release(project, index, "1.0.0")
    code, statuses, err = audit_json(cli, project)
    assert (code, statuses, err) == (0, {"1.0.0": "ok"}, "")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = cli("-C", str(project.path), "audit", "--index", "local", "--format", "markdown")
    assert result.code == 0
    assert "| 1.0.0 | ok |" in result.out
    assert "### tagship audit: ok" in summary.read_text()


def test_every_kind_of_finding_is_reported(project: Repo, index: PypiServer, cli: Cli) -> None:
    release(project, index, "1.0.0")
    twine_upload(index, *build(project, "1.1.0"))  # plain twine, no record
    release(project, index, "1.2.0")
    other = project.commit("after 1.2.0")
    git(project.path, "tag", "-f", "-a", "v1.2.0", "-m", "moved", other)  # the tag moves
    release(project, index, "1.3.0", env={})  # published from a maintainer's machine
    release(project, index, "1.4.0", branch="feature/x")  # never merged
    release(project, index, "1.5.0", recorded=build(project, "1.5.0", payload="# other bytes"))

    code, statuses, err = audit_json(cli, project)
    assert code == 4
    assert statuses == {
        "1.0.0": "ok",
        "1.1.0": "not-in-ledger",
        "1.2.0": "tag-missing-or-moved",
        "1.3.0": "not-from-ci",
        "1.4.0": "not-on-release-branch",
        "1.5.0": "hash-differs",
    }
    assert err.startswith("tagship: error: audit found problems in 5 of 6 versions on local")
    assert err.count("\n") == 1
    text = cli("-C", str(project.path), "audit", "--index", "local")
    assert text.code == 4
    assert "uploaded by other means" in text.out
    assert "tag v1.2.0 points to" in text.out


def test_tag_deleted_is_reported(project: Repo, index: PypiServer, cli: Cli) -> None:
    release(project, index, "1.0.0")
    git(project.path, "tag", "-d", "v1.0.0")
    code, statuses, _ = audit_json(cli, project)
    assert (code, statuses) == (4, {"1.0.0": "tag-missing-or-moved"})


def test_tampered_ledger_taints_every_version(project: Repo, index: PypiServer, cli: Cli) -> None:
    release(project, index, "1.0.0")
    release(project, index, "1.1.0")
    lines = git(project.origin, "show", f"{LEDGER_REF}:{LEDGER_FILE}").encode().split(b"\n")
    rewrite_ledger(project, lines[:1])  # the tail, anchored by tag v1.1.0, is cut
    code, statuses, _ = audit_json(cli, project)
    assert code == 4
    assert statuses["1.0.0"] == "ledger-tampered"
    assert statuses["1.1.0"] == "ledger-tampered, not-in-ledger"


def test_project_not_on_the_index_has_nothing_to_report(project: Repo, cli: Cli) -> None:
    code, statuses, _ = audit_json(cli, project)
    assert (code, statuses) == (0, {})


def test_unknown_index_is_a_usage_error(project: Repo, cli: Cli) -> None:
    result = cli("-C", str(project.path), "audit", "--index", "nowhere")
    assert result.code == 2
    assert "unknown index 'nowhere'" in result.err


def test_unreachable_index_is_a_service_error(make_repo: MakeRepo) -> None:
    config = (
        '\n[tool.tagship.indexes.down]\nsimple-url = "http://127.0.0.1:9/simple/"\n'
        'upload-url = "http://127.0.0.1:9/"\n'
    )
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT + config})
    workspace = open_workspace(repo.path, env={})
    with pytest.raises(ServiceError, match="failed after 2 attempts"):
        audit_workspace(workspace, "down", Http(RetryPolicy(attempts=2, base_delay=0.01)))
