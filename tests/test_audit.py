"""`tagship audit` against a real local index (pypiserver), real git and the real ledger."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import TYPE_CHECKING

import pytest

import github_payloads as gh
from conftest import STATIC_PYPROJECT, Cli, MakeRepo, Repo, git
from ledger_kit import CI_ENV, forge
from releases import write_release
from servers import PypiServer, make_sdist, make_wheel, running_pypiserver, twine_upload
from tagship.adapters.git import Git
from tagship.adapters.http import Http, RetryPolicy
from tagship.adapters.ledger_store import LEDGER_FILE, LEDGER_REF, append_event, read_ledger
from tagship.core.errors import ServiceError
from tagship.core.index_url import UPLOAD_URL, normalise_url
from tagship.core.ledger import Event, FileEntry, anchor_line
from tagship.steps.build.artifacts import write_manifest
from tagship.steps.ledger.audit import audit_workspace
from tagship.workspace import open_workspace
from test_audit_identity import (
    RUN,
    RUN_ID,
    ci_env,
    publish_record,
    run_requests,
    serve_page,
    serve_run,
)
from test_audit_identity import project as served_project

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

    from pytest_httpserver import HTTPServer

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
        details={UPLOAD_URL: normalise_url(index.upload_url)},
    )
    # each release is a run of its own: one run attempt builds once
    run_id = version.replace(".", "")
    run = {"GITHUB_SHA": commit, "GITHUB_REF": f"refs/tags/v{version}", "GITHUB_RUN_ID": run_id}
    run = run if env else {}
    record = append_event(Git(repo.path), event, {**env, **run})
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
    forge(project, lines[:1])  # the tail, anchored by tag v1.1.0, is cut
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


# -- records bind to the index they were made for -----------------------------------------


@pytest.fixture
def stage_and_prod(tmp_path: Path) -> Iterator[tuple[PypiServer, PypiServer]]:
    with (
        running_pypiserver(tmp_path / "stage") as stage,
        running_pypiserver(tmp_path / "prod") as prod,
    ):
        yield stage, prod


def test_publish_records_the_index_and_a_stage_record_does_not_cover_prod(
    make_repo: MakeRepo,
    cli: Cli,
    github: HTTPServer,
    stage_and_prod: tuple[PypiServer, PypiServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real `tagship publish` in a GitHub Actions job records the index; the audit then
    confirms the run with GitHub and refuses the record for another index."""
    stage, prod = stage_and_prod
    indexes = "".join(
        f'\n[tool.tagship.indexes.{name}]\nsimple-url = "{server.simple_url}"\n'
        f'upload-url = "{server.upload_url}"\n'
        for name, server in (("stage", stage), ("prod", prod))
    )
    config = f'\n[tool.tagship.github]\nowner = "{gh.OWNER}"\nrepository = "{gh.NAME}"\n'
    repo = make_repo({"pyproject.toml": STATIC_PYPROJECT + config + indexes})
    commit = repo.commit("release 0.4.22")  # STATIC_PYPROJECT's version
    repo.tag("v0.4.22", push=True)
    repo.push("main")
    dist = repo.path / "dist"
    manifest = dataclasses.replace(write_release(dist, "sample-pkg", "0.4.22"), commit=commit)
    write_manifest(dist, manifest)
    for name, value in ci_env(commit, "v0.4.22").items():
        monkeypatch.setenv(name, value)
    published = cli("-C", str(repo.path), "publish", "--to", "stage")
    assert published.code == 0, published.err
    (record,) = read_ledger(Git(repo.path)).records
    assert record.event.index == "stage"
    assert record.event.details[UPLOAD_URL] == normalise_url(stage.upload_url)
    assert record.actor.run_id == str(RUN_ID)
    monkeypatch.delenv("GITHUB_ACTIONS")  # the audit runs elsewhere: plain output
    serve_run(github, commit, "v0.4.22")

    twine_upload(prod, *(dist / f.name for f in manifest.files))  # the same bytes, by hand
    audited = {}
    for name in ("stage", "prod"):
        result = cli("-C", str(repo.path), "audit", "--index", name, "--format", "json")
        (version,) = json.loads(result.out)["versions"]
        audited[name] = (result.code, version["status"])
    assert audited == {"stage": (0, "ok"), "prod": (4, "index-differs")}
    assert run_requests(github) == [RUN]  # asked for stage's record; prod has none to ask
    result = cli("-C", str(repo.path), "audit", "--index", "prod", "--format", "json")
    finding = json.loads(result.out)["versions"][0]["findings"][0]
    assert finding["detail"] == (
        f"no record for prod at {normalise_url(prod.upload_url)} lists it, "
        f"only #1 for stage at {record.event.details[UPLOAD_URL]}"
    )


@pytest.mark.parametrize(
    ("recorded", "index", "ok"),
    [
        ("http://127.0.0.1:1/legacy/", "local", True),
        ("HTTP://127.0.0.1:1/legacy", "local", True),  # case of scheme, trailing slash
        ("http://user:secret@127.0.0.1:1/legacy/", "local", True),  # user info is not the index
        ("http://127.0.0.1:1/other/", "local", False),  # another path on the same host
        ("http://127.0.0.1:2/legacy/", "local", False),  # another port
        ("http://127.0.0.1:1/legacy/", "other", False),  # the same URL under another name
        (None, "local", False),  # a record from before records named their upload URL
        ("http://[::1/", "local", False),  # a malformed URL binds to nothing
    ],
)
def test_record_binds_by_index_name_and_normalised_upload_url(
    make_repo: MakeRepo,
    httpserver: HTTPServer,
    cli: Cli,
    recorded: str | None,
    index: str,
    ok: bool,
) -> None:
    repo = served_project(make_repo, httpserver, upload_url="http://127.0.0.1:1/legacy/")
    details = {} if recorded is None else {UPLOAD_URL: recorded}
    publish_record(repo, details=details, index=index)
    serve_page(httpserver)
    code, statuses, _ = audit_json(cli, repo)
    assert (code, statuses) == ((0, {"1.0.0": "ok"}) if ok else (4, {"1.0.0": "index-differs"}))


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("https://upload.pypi.org/legacy/", "https://upload.pypi.org/legacy/"),
        ("HTTPS://Upload.PyPI.org:443/legacy", "https://upload.pypi.org/legacy/"),
        ("https://upload.pypi.org./legacy/", "https://upload.pypi.org/legacy/"),
        ("https://upload\uff0epypi\u3002org/legacy/", "https://upload.pypi.org/legacy/"),
        (
            "https://__token__:pypi-secret@upload.pypi.org/legacy/?x=1#f",
            "https://upload.pypi.org/legacy/",
        ),
        ("http://127.0.0.1:80", "http://127.0.0.1/"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/"),
        ("http://[::1]:3141/root/prod", "http://[::1]:3141/root/prod/"),
    ],
)
def test_upload_urls_are_normalised_once_for_every_spelling(url: str, normal: str) -> None:
    assert normalise_url(url) == normal
