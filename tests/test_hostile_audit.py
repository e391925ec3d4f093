"""Hostile input for "the audit checks identities, not claims": ledger records whose GitHub
Actions claims are forged or malformed, a GitHub (local stand-in) that answers badly, records
bound to another index or carrying hostile URLs. Each case runs the real CLI and asserts the
documented exit code, one error line, no traceback, no escape sequence printed, nothing sent
but GET requests, no malformed claim ever in a request, and the work tree untouched. Hostile
attestation publishers (PEP 740) are shown as safely."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pytest

import github_payloads as gh
from conftest import git
from hostile import assert_refused, snapshot
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import LEDGER_FILE, LEDGER_REF
from tagship.core.ci_identity import GITHUB_ACTIONS
from tagship.core.index_url import UPLOAD_URL, index_details
from tagship.core.ledger import Actor, Event, FileEntry, make_record
from tagship.workspace import open_workspace
from test_audit_identity import RUN, RUN_ID, SDIST, WHEEL, WORKFLOW, project, serve_page, sha
from test_audit_provenance import provenance_document, provenance_project, serve_provenance

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

    from conftest import Cli, CliResult, MakeRepo, Repo

TAG = "v1.0.0"
ESC = "\x1b"


def _released(repo: Repo) -> str:
    """Commit and tag the release (no ledger yet); the commit."""
    commit = repo.commit("release 1.0.0")
    repo.tag(TAG)
    repo.push("main", f"refs/tags/{TAG}")
    return commit


def _genuine(commit: str) -> Actor:
    return Actor(
        kind=GITHUB_ACTIONS,
        repository=gh.FULL,
        workflow=WORKFLOW,
        workflow_ref=f"{gh.FULL}/.github/workflows/{WORKFLOW}@refs/tags/{TAG}",
        run_id=str(RUN_ID),
        run_attempt="1",
        ref=f"refs/tags/{TAG}",
        sha=commit,
    )


def _forge_ledger(
    repo: Repo, actor: Actor, details: dict[str, str] | None = None, index: str = "local"
) -> None:
    """Put one publish record of 1.0.0 by `actor` on origin's ledger ref, as someone with
    push access can: the chain itself is valid, only the claims are hostile."""
    commit = git(repo.path, "rev-parse", TAG + "^{commit}")
    if details is None:
        details = index_details(open_workspace(repo.path, env={}).config.index("local"))
    event = Event(
        "publish",
        "sample-pkg",
        "1.0.0",
        tag=TAG,
        commit=commit,
        index=index,
        files=tuple(FileEntry(name, 10, sha(name)) for name in (SDIST, WHEEL)),
        details=details,
    )
    record = make_record(1, "2026-01-01T00:00:00Z", None, event, actor)
    g = Git(repo.path)
    tree = g.write_tree({LEDGER_FILE: g.write_blob(record.line().decode() + "\n")})
    forged = g.commit_tree(tree, None, "forged")
    git(repo.path, "push", "--quiet", "--force", "origin", f"{forged}:{LEDGER_REF}")


def _refused(cli: Cli, repo: Repo, server: HTTPServer, code: int) -> CliResult:
    before = snapshot(repo.path)
    result = cli("-C", str(repo.path), "audit", "--index", "local")
    assert_refused(result, code)
    assert ESC not in result.out + result.err
    assert all(request.method == "GET" for request, _ in server.log)
    assert snapshot(repo.path) == before
    return result


def _runs_asked(server: HTTPServer) -> list[str]:
    return [request.full_path for request, _ in server.log if "/actions/" in request.path]


# -- forged or malformed claims: a finding, and never a request ----------------------------

CLAIMS: list[tuple[str, str, str]] = [
    ("run_id", "../../../../repos/x/y/actions/runs/1", "malformed"),
    ("run_id", "1/../../2", "malformed"),
    ("run_id", "0", "malformed"),
    ("run_id", "-1", "malformed"),
    ("run_id", "1e3", "malformed"),
    ("run_id", " 4242", "malformed"),
    ("run_id", "4242?per_page=1", "malformed"),
    ("run_id", "\u0664\u0662\u0664\u0662", "malformed"),  # Arabic-Indic digits
    ("run_id", "9" * 30, "malformed"),
    ("run_attempt", "0", "malformed"),
    ("run_attempt", "one", "malformed"),
    ("repository", "a/b/c", "malformed"),
    ("repository", "../x", "malformed"),
    ("repository", "CharmAIOS/..", "malformed"),
    ("repository", "CharmAIOS/Charm?x=1", "malformed"),
    ("repository", "CharmAIOS/Charm\n", "malformed"),
    ("repository", "someone/else", "not of CharmAIOS/Charm"),
    ("workflow", "../evil.yml", "malformed"),
    ("workflow", "sub/dir.yml", "malformed"),
    ("workflow", "publish.txt", "malformed"),
    ("workflow", "publish\x1b[2J.yml", "malformed"),
    ("ref", "refs/pull/1/merge", "malformed"),
    ("ref", TAG, "malformed"),
    ("ref", f"refs/tags/{TAG}\x1b[31m", "malformed"),
    ("ref", "refs/tags/v0.9.0", "but publishes tag v1.0.0"),
    ("sha", "A" * 40, "malformed"),
    ("sha", "a" * 39, "malformed"),
    ("sha", "0" * 40, "but publishes commit"),
]


@pytest.mark.parametrize(
    ("field", "value", "said"), CLAIMS, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(CLAIMS)]
)
def test_forged_claim_is_a_finding_and_never_reaches_github(
    make_repo: MakeRepo, github: HTTPServer, cli: Cli, field: str, value: str, said: str
) -> None:
    repo = project(make_repo, github)
    actor = _genuine(_released(repo))
    _forge_ledger(repo, dataclasses.replace(actor, **{field: value}))
    serve_page(github)
    result = _refused(cli, repo, github, 4)
    assert "ci-identity-forged" in result.out
    assert said in result.out
    assert _runs_asked(github) == []


def test_claim_of_github_actions_with_no_identity_at_all(
    make_repo: MakeRepo, github: HTTPServer, cli: Cli
) -> None:
    repo = project(make_repo, github)
    _released(repo)
    _forge_ledger(repo, Actor(kind=GITHUB_ACTIONS))
    serve_page(github)
    result = _refused(cli, repo, github, 4)
    assert (
        "claims GitHub Actions but names no repository, run id, run attempt, workflow file, "
        "ref, sha" in result.out
    )
    assert _runs_asked(github) == []


# -- GitHub answering badly ------------------------------------------------------------------


def _payload(commit: str, tag: str = TAG, **changes: Any) -> dict[str, Any]:
    return gh.workflow_run(RUN_ID, tag, **{"sha": commit, **changes})


def _missing(field: str) -> Any:
    def answer(commit: str) -> dict[str, Any]:
        payload = _payload(commit)
        del payload[field]
        return payload

    return answer


ANSWERS: list[tuple[str, Any, int, int, str]] = [
    # (id, body (or a function of the commit), status, exit code, in the output)
    ("bad-token", gh.error("Bad credentials", 401), 401, 3, "GitHub rejected the token"),
    ("no-permission", gh.error("Resource not accessible", 403), 403, 3, "actions: read"),
    ("no-path", _missing("path"), 200, 3, "does not have the documented shape"),
    ("no-repository", _missing("repository"), 200, 3, "does not have the documented shape"),
    ("not-json", "<html>hello</html>", 200, 3, "tagship: error: GitHub"),
    ("a-list", [1, 2], 200, 3, "does not have the documented shape"),
    ("unprocessable", gh.error("Unprocessable", 422), 422, 4, "there is no such run"),
    (
        "escape-branch",
        lambda c: _payload(c, tag=ESC + "[2J" + "x" * 5000),
        200,
        4,
        "it ran for '\\x1b[2Jxxx",
    ),
    ("target-event", lambda c: _payload(c, event="pull_request_target"), 200, 4, "not push"),
    ("fork-workflow", lambda c: _payload(c, workflow="../../fork.yml"), 200, 4, "it ran .github"),
]


@pytest.mark.parametrize(
    ("body", "status", "code", "said"), [a[1:] for a in ANSWERS], ids=[a[0] for a in ANSWERS]
)
def test_github_answering_badly(
    make_repo: MakeRepo,
    github: HTTPServer,
    cli: Cli,
    body: Any,
    status: int,
    code: int,
    said: str,
) -> None:
    repo = project(make_repo, github)
    commit = _released(repo)
    _forge_ledger(repo, _genuine(commit))
    serve_page(github)
    answer = body(commit) if callable(body) else body
    if isinstance(answer, str):
        github.expect_request(RUN).respond_with_data(answer, status=status)
    else:
        github.expect_request(RUN).respond_with_json(answer, status=status)
    result = _refused(cli, repo, github, code)
    assert said in result.out + result.err
    assert max(len(line) for line in (result.out + result.err).splitlines()) < 2000


def test_repository_github_does_not_show_is_a_service_error(
    make_repo: MakeRepo, httpserver: HTTPServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    repo = project(make_repo, httpserver)
    _forge_ledger(repo, _genuine(_released(repo)))
    serve_page(httpserver)
    for path in (RUN, f"/repos/{gh.FULL}"):
        httpserver.expect_request(path).respond_with_json(gh.error("Not Found", 404), status=404)
    result = _refused(cli, repo, httpserver, 3)
    assert f"GitHub repository {gh.FULL} not found, or the token lacks" in result.err


def test_insecure_github_api_url_is_refused_before_any_request(
    make_repo: MakeRepo, httpserver: HTTPServer, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", "http://github.example.com")
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    repo = project(make_repo, httpserver)
    _forge_ledger(repo, _genuine(_released(repo)))
    serve_page(httpserver)
    result = _refused(cli, repo, httpserver, 2)
    assert "refusing insecure URL http://github.example.com" in result.err


# -- records bound to another index, hostile URLs -----------------------------------------


BINDINGS: list[tuple[str, dict[str, str], str, str]] = [
    # (id, record details, record index, absent from the output)
    ("credentials", {UPLOAD_URL: "http://user:hunter2@127.0.0.1:2/"}, "local", "hunter2"),
    ("token-query", {UPLOAD_URL: "http://127.0.0.1:2/?token=hunter2"}, "local", "hunter2"),
    ("long-url", {UPLOAD_URL: "http://127.0.0.1:2/" + "p" * 20000}, "local", "p" * 200),
    ("malformed-url", {UPLOAD_URL: "http://[::1/"}, "local", "Traceback"),
    ("escape-index", {UPLOAD_URL: "http://127.0.0.1:1/"}, "local\x1b[31m", ESC),
    ("no-url", {}, "local", "Traceback"),
]


@pytest.mark.parametrize(
    ("details", "index", "absent"), [b[1:] for b in BINDINGS], ids=[b[0] for b in BINDINGS]
)
def test_record_of_another_index_covers_nothing(
    make_repo: MakeRepo,
    httpserver: HTTPServer,
    cli: Cli,
    details: dict[str, str],
    index: str,
    absent: str,
) -> None:
    repo = project(make_repo, httpserver)
    _forge_ledger(repo, _genuine(_released(repo)), details, index)
    serve_page(httpserver)
    result = _refused(cli, repo, httpserver, 4)
    assert "index-differs" in result.out
    assert absent not in result.out + result.err


def test_malformed_upload_url_of_the_audited_index_is_a_usage_error(
    make_repo: MakeRepo, httpserver: HTTPServer, cli: Cli
) -> None:
    repo = project(make_repo, httpserver, upload_url="http://[::1/")
    before = snapshot(repo.path)
    result = cli("-C", str(repo.path), "audit", "--index", "local")
    assert_refused(result, 2)
    assert snapshot(repo.path) == before


@pytest.mark.parametrize(
    ("repository", "workflow"),
    [("evil\x1b[2J/x", "publish.yml"), ("owner/repo", "w" * 5000 + ".yml")],
    ids=["escape-publisher", "long-workflow"],
)
def test_hostile_attestation_publisher_is_a_finding_shown_safely(
    make_repo: MakeRepo, httpserver: HTTPServer, cli: Cli, repository: str, workflow: str
) -> None:
    repo = provenance_project(make_repo, httpserver)
    document = provenance_document(SDIST, repository, workflow)
    serve_provenance(httpserver, {SDIST: document})
    result = _refused(cli, repo, httpserver, 4)
    assert "provenance-publisher-differs" in result.out
    assert max(len(line) for line in result.out.splitlines()) < 2000
