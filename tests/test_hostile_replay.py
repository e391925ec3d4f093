"""A replayed CI identity (issue 24, item 5): a record that copies a genuine run's identity
through the environment (GITHUB_RUN_ID and the rest) but lists the bytes of a dirty local
build. One run attempt builds once, so `tagship audit` fails any run attempt whose records
claim two sets of bytes for one file name, or two commits; each record says whether its work
tree was clean, and an official publish from a dirty tree is refused before anything is sent
or recorded. Real git and ledger; GitHub, its OIDC token service and PyPI's token exchange
and upload are local stand-ins; a real pypiserver where the record's state is read back."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

import pytest
from werkzeug import Response

from hostile import assert_refused
from oidc import CLAIMS, github_actions, jwt
from releases import make_release
from servers import running_pypiserver
from tagship.adapters.git import Git
from tagship.adapters.index import JSON_TYPE
from tagship.adapters.ledger_store import append_event, read_ledger
from tagship.core.index_url import index_details
from tagship.core.ledger import Event, FileEntry
from tagship.steps.build.artifacts import load_manifest, write_manifest
from tagship.workspace import open_workspace
from test_audit_identity import RUN_ID, SDIST, WHEEL, audit_json, ci_env, project, serve_run, sha

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from pytest_httpserver import HTTPServer
    from werkzeug import Request

    from conftest import Cli, CliResult, MakeRepo, Repo
    from tagship.core.ledger import Record

GENUINE = {SDIST: sha(SDIST), WHEEL: sha(WHEEL)}
DIRTY = {SDIST: sha(f"dirty {SDIST}"), WHEEL: sha(f"dirty {WHEEL}")}
CLEAN = {"work-tree": "clean"}


def _released(repo: Repo, version: str = "1.0.0") -> str:
    """Commit, tag v`version` there and push both: the commit."""
    commit = repo.commit(f"release {version}")
    repo.tag(f"v{version}")
    repo.push("main", f"refs/tags/v{version}")
    return commit


def _record(
    repo: Repo,
    commit: str,
    files: Mapping[str, str],
    *,
    version: str = "1.0.0",
    details: Mapping[str, str] = CLEAN,
    **env: str,
) -> Record:
    """A publish record of `files` (name -> sha256) to index `local`, appended with the
    environment of run RUN_ID's publish job at `commit` (`env` changes it): whoever sets
    these variables gets this identity."""
    bound = index_details(open_workspace(repo.path, env={}).config.index("local"))
    event = Event(
        "publish",
        "sample-pkg",
        version,
        tag=f"v{version}",
        commit=commit,
        index="local",
        files=tuple(FileEntry(name, 10, digest) for name, digest in files.items()),
        details={**bound, **details},
    )
    return append_event(Git(repo.path), event, ci_env(commit, f"v{version}", **env))


def _serve(server: HTTPServer, files: Mapping[str, str]) -> None:
    """The index's PEP 691 page of sample-pkg, serving `files` (name -> sha256)."""
    listed = [
        {"filename": name, "url": f"/f/{name}", "hashes": {"sha256": digest}}
        for name, digest in files.items()
    ]
    page = json.dumps({"meta": {"api-version": "1.1"}, "name": "sample-pkg", "files": listed})
    server.expect_request("/simple/sample-pkg/").respond_with_data(page, content_type=JSON_TYPE)


def _findings(report: dict[str, object], kind: str) -> list[str]:
    versions = report["versions"]
    assert isinstance(versions, list)
    return [f["detail"] for v in versions for f in v["findings"] if f["kind"] == kind]


# -- the audit: one run attempt, one set of bytes, one commit ---------------------------------


def test_a_replayed_identity_with_other_bytes_fails_the_audit(
    make_repo: MakeRepo, github: HTTPServer, cli: Cli
) -> None:
    repo = project(make_repo, github)
    commit = _released(repo)
    _record(repo, commit, GENUINE)  # the run's own record
    _record(repo, commit, DIRTY)  # the same identity, copied, and a dirty build's bytes
    _serve(github, DIRTY)
    serve_run(github, commit)  # GitHub confirms the run: the identity is genuine
    code, report, err = audit_json(cli, repo)
    assert code == 4, (report, err)
    assert err.startswith("tagship: error: audit found problems in 1 of 1 version on local")
    (detail,) = set(_findings(report, "run-replayed"))
    assert detail.startswith(f"run {RUN_ID} attempt 1 claims two sets of bytes for {SDIST}")
    assert f"record #1 sha256 {GENUINE[SDIST][:12]}, record #2 sha256 {DIRTY[SDIST][:12]}" in (
        detail
    )


def test_a_replayed_identity_at_another_commit_fails_the_audit_without_a_token(
    make_repo: MakeRepo, httpserver: HTTPServer, cli: Cli
) -> None:
    repo = project(make_repo, httpserver)
    first = _released(repo)
    _record(repo, first, GENUINE)
    # a local commit, released under the identity of the run that published 1.0.0
    second = _released(repo, "1.0.1")
    later = {"sample_pkg-1.0.1.tar.gz": sha("1.0.1")}
    _record(repo, second, later, version="1.0.1", GITHUB_REF="refs/tags/v1.0.1")
    _serve(httpserver, {**GENUINE, **later})
    code, report, _ = audit_json(cli, repo)
    assert code == 4, report
    details = _findings(report, "run-replayed")
    assert len(details) == 2  # each version the run attempt claims fails
    said = (
        f"run {RUN_ID} attempt 1 claims two commits: "
        f"record #1 {first[:12]}, record #2 {second[:12]}"
    )
    assert all(d.startswith(said) for d in details), details


def test_attempts_of_one_run_may_build_anew(
    make_repo: MakeRepo, github: HTTPServer, cli: Cli
) -> None:
    # a rerun is a new attempt: its bytes are its own, and the latest attempt is genuine
    repo = project(make_repo, github)
    commit = _released(repo)
    _record(repo, commit, DIRTY)
    _record(repo, commit, GENUINE, GITHUB_RUN_ATTEMPT="2")
    _record(repo, commit, GENUINE, GITHUB_RUN_ATTEMPT="2")  # the record job, rerun
    _serve(github, GENUINE)
    serve_run(github, commit, attempt=2)
    code, report, err = audit_json(cli, repo)
    assert (code, err) == (0, ""), report


# -- the work tree's state, in each record ------------------------------------------------------


def test_a_record_that_says_its_tree_was_dirty_is_a_finding(
    make_repo: MakeRepo, github: HTTPServer, cli: Cli
) -> None:
    repo = project(make_repo, github)
    commit = _released(repo)
    _record(repo, commit, GENUINE, details={"work-tree": "dirty"})
    _serve(github, GENUINE)
    serve_run(github, commit)
    code, report, _ = audit_json(cli, repo)
    assert code == 4
    assert set(_findings(report, "dirty-tree")) == {
        "record #1 was made from a work tree with uncommitted changes"
    }


def test_an_old_record_without_the_tree_state_is_noted_not_failed(
    make_repo: MakeRepo, github: HTTPServer, cli: Cli
) -> None:
    repo = project(make_repo, github)
    commit = _released(repo)
    _record(repo, commit, GENUINE, details={})
    _serve(github, GENUINE)
    serve_run(github, commit)
    code, report, err = audit_json(cli, repo)
    assert (code, err) == (0, "")
    (version,) = report["versions"]
    assert version["notes"] == [
        "record #1 does not say whether its work tree was clean (made before tagship recorded it)"
    ]


def _publish_record(repo: Repo) -> Record:
    (record,) = [r for r in read_ledger(Git(repo.path)).records if r.event.kind == "publish"]
    return record


@pytest.mark.parametrize("dirty", [False, True], ids=["clean", "dirty"])
def test_each_publish_records_the_state_of_its_tree(
    make_repo: MakeRepo, tmp_path: Path, cli: Cli, dirty: bool
) -> None:
    with running_pypiserver(tmp_path / "index") as index:
        release = make_release(make_repo, index.upload_url, index.simple_url)
        if dirty:
            release.repo.write("pub_pkg.py", "CHANGED = True\n")  # not committed
        result = cli("-C", str(release.repo.path), "publish", "--to", "local")
    assert result.code == 0, result.err
    state = _publish_record(release.repo).event.details["work-tree"]
    assert state == ("dirty" if dirty else "clean")


# -- an official publish from a dirty tree is refused before anything is sent ---------------


def _trusted_pypi(server: HTTPServer, uploads: list[str]) -> str:
    """GitHub's OIDC token service and PyPI's audience, token exchange and upload, served by
    `server`: what an official publish in GitHub Actions talks to. The pyproject lines."""
    server.expect_request("/_/oidc/audience").respond_with_json({"audience": "pypi"})
    server.expect_request("/github-oidc").respond_with_json({"count": 1, "value": jwt(CLAIMS)})
    minted = {"success": True, "token": "pypi-minted-token-0123456789"}
    server.expect_request("/_/oidc/mint-token", method="POST").respond_with_json(minted)
    server.expect_request("/simple/pub-pkg/").respond_with_data("", status=404)

    def upload(request: Request) -> Response:
        uploads.append(request.form["sha256_digest"])
        return Response("OK", 200)

    server.expect_request("/legacy/", method="POST").respond_with_handler(upload)
    return (
        "attestations = false\n"
        f'[tool.tagship.indexes.pypi]\nupload-url = "{server.url_for("/legacy/")}"\n'
        f'simple-url = "{server.url_for("/simple/")}"\n'
    )


def _official_release(
    make_repo: MakeRepo, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> tuple[Repo, list[str]]:
    github_actions(monkeypatch, httpserver)
    uploads: list[str] = []
    extra = _trusted_pypi(httpserver, uploads)
    release = make_release(make_repo, "http://127.0.0.1:9/", "http://127.0.0.1:9/s/", extra=extra)
    return release.repo, uploads


def _refused_before_anything(result: CliResult, repo: Repo, server: HTTPServer, says: str) -> None:
    error = assert_refused(result, 1)
    assert says in error, error
    assert server.log == []  # no token asked for, nothing uploaded
    assert not [r for r in read_ledger(Git(repo.path)).records if r.event.kind == "publish"]


def test_an_official_publish_from_a_dirty_tree_is_refused(
    make_repo: MakeRepo, httpserver: HTTPServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = _official_release(make_repo, httpserver, monkeypatch)
    repo.write("pub_pkg.py", "CHANGED = True\n")
    result = cli("-C", str(repo.path), "publish", "--to", "pypi")
    _refused_before_anything(
        result, repo, httpserver, "publishing to pypi (an official index) from a dirty work tree"
    )
    assert "pub_pkg.py" in result.err


def test_an_official_publish_of_a_dirty_build_is_refused(
    make_repo: MakeRepo, httpserver: HTTPServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = _official_release(make_repo, httpserver, monkeypatch)
    dist = repo.path / "dist"
    manifest = load_manifest(dist)
    write_manifest(dist, dataclasses.replace(manifest, dirty=True))  # built with --allow-dirty
    result = cli("-C", str(repo.path), "publish", "--to", "pypi")
    _refused_before_anything(result, repo, httpserver, "built from a dirty work tree")


def test_an_official_publish_from_a_clean_tree_records_it_clean(
    make_repo: MakeRepo, httpserver: HTTPServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, uploads = _official_release(make_repo, httpserver, monkeypatch)
    result = cli("-C", str(repo.path), "publish", "--to", "pypi")
    assert result.code == 0, result.err
    assert len(uploads) == 2
    assert _publish_record(repo).event.details["work-tree"] == "clean"
