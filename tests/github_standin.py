"""A stateful stand-in for the parts of GitHub the generated workflows reach: the REST API
(releases, tags, commits, check runs, labels, pull requests, workflow runs) and the Actions
OIDC token service, on one pytest-httpserver.

Git facts (tags, commits, comparisons) come from the bare `origin` the harness checks out, runs
and check runs from what the harness ran. Every job gets its own token holding exactly the
job's `permissions:`, and the stand-in refuses what the token may not do as GitHub does (403
naming the permission; drafts listed only to a token that may write contents), so a job
missing a permission fails here as it would on GitHub. The repository is private: reads need
their permission too.

Releases are immutable as GitHub's immutable releases make them (`immutable=True`, the
default): once published, any change to one (an asset uploaded or deleted, a PATCH, a DELETE)
is answered 422 and kept in `refused`; `after_publish` keeps every change request sent to a
published release, immutable or not, so a test can require that none was sent.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import subprocess
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug import Response

import github_payloads as gh
from oidc import jwt

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from pytest_httpserver import HTTPServer
    from werkzeug import Request

    from workflow_events import RunInfo

_SCOPES = ("contents", "pull-requests", "issues", "checks", "statuses", "actions")
_ALL = dict.fromkeys(_SCOPES, "write")


@dataclass(frozen=True)
class _Call:
    """One API request: what was asked, the route's match, and what its token may do."""

    request: Request
    match: re.Match[str]
    grants: Mapping[str, str]

    def page(self, items: list[Any]) -> list[Any]:
        # githubkit asks for pages until one comes back empty
        return items if self.request.args.get("page", "1") == "1" else []


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    needs: tuple[str, ...]  # "scope:level" alternatives; empty: any valid token
    handler: Callable[[GitHubStandIn, _Call], Any]
    # for a route that changes a release: the release it changes, if it exists
    changes: Callable[[GitHubStandIn, _Call], dict[str, Any] | None] | None = None


@dataclass
class GitHubStandIn:
    """GitHub for one repository (`full` = owner/name) whose git data lives in `origin`."""

    server: HTTPServer
    full: str
    origin: Path
    server_url: str = "https://github.com"
    tokens: dict[str, Mapping[str, str]] = field(default_factory=dict)
    claims: dict[str, Mapping[str, object]] = field(default_factory=dict)
    runs: dict[int, RunInfo] = field(default_factory=dict)
    conclusions: dict[int, list[str]] = field(default_factory=dict)
    check_runs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    releases: list[dict[str, Any]] = field(default_factory=list)
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)  # number -> gh.pull() + sha
    unserved: list[str] = field(default_factory=list)
    immutable: bool = True
    after_publish: list[str] = field(default_factory=list)  # changes sent to a published one
    # tag names an immutable release used: GitHub never takes them again
    burned: set[str] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)  # of those, the ones answered 422

    def __post_init__(self) -> None:
        self.server.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    @property
    def api_url(self) -> str:
        return self.server.url_for("").rstrip("/")

    # -- what the harness and the test tell it ----------------------------------------------

    def job_token(self, permissions: Mapping[str, str]) -> str:
        token = f"ghs_{secrets.token_hex(16)}"
        self.tokens[token] = dict(permissions)
        return token

    def maintainer_token(self) -> str:
        """A token of someone who may do everything (the audit's `actions: read` included)."""
        return self.job_token(_ALL)

    def id_token_request(self, claims: Mapping[str, object]) -> tuple[str, str]:
        request = secrets.token_hex(16)
        self.claims[request] = dict(claims)
        return self.server.url_for("/_oidc/token?api-version=2.0"), request

    def run_started(self, run: RunInfo) -> None:
        self.runs[run.id] = run
        self.conclusions[run.id] = []

    def job_finished(self, run: RunInfo, name: str, conclusion: str) -> None:
        self.conclusions[run.id].append(conclusion)
        self.check_runs.setdefault(run.event.sha, []).append((name, conclusion))

    def merged_pull(self, number: int, sha: str, labels: tuple[str, ...]) -> None:
        """A pull request merged as `sha` (GitHub lists it for that commit)."""
        self.pulls[number] = {**gh.pull(number, f"change {number}", labels), "sha": sha}

    def draft(self, tag: str) -> dict[str, Any]:
        """A draft release of `tag`, as the maintainer reviews it before tagging."""
        rid = len(self.releases) + 1
        release = gh.release(rid, tag, draft=True)
        release["immutable"] = False  # until published
        release["upload_url"] = (
            f"{self._uploads}/repos/{self.full}/releases/{rid}/assets{{?name,label}}"
        )
        self.releases.append(release)
        return release

    # -- the server side --------------------------------------------------------------------

    @property
    def _uploads(self) -> str:
        return self.server.url_for("/uploads").rstrip("/")

    def git(self, *args: str) -> str | None:
        """git in the bare origin: its stdout, or None when git says no."""
        done = subprocess.run(
            ["git", *args], cwd=self.origin, capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else None

    def commit_of(self, ref: str) -> str | None:
        return self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")

    def _handle(self, request: Request) -> Response:
        path = request.path
        return self._oidc(request) if path == "/_oidc/token" else self._api(request, path)

    def _oidc(self, request: Request) -> Response:
        auth = request.headers.get("Authorization", "")
        claims = self.claims.get(auth.removeprefix("bearer "))
        if claims is None or request.args.get("api-version") != "2.0":
            return _json({"message": "Unauthorized"}, 401)
        audience = request.args.get("audience", "https://github.com/" + self.full.split("/")[0])
        return _json({"count": 1, "value": jwt({**claims, "aud": audience})})

    def _api(self, request: Request, path: str) -> Response:
        # githubkit sends `token T`; `Bearer T` is GitHub's other spelling
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        grants = self.tokens.get(token) if scheme.lower() in ("token", "bearer") else None
        if grants is None:
            return _json(gh.error("Bad credentials", 401), 401)
        for route in _ROUTES:
            match = route.pattern.fullmatch(path.replace(f"/repos/{self.full}", "/R", 1))
            if match is None or route.method != request.method:
                continue
            if route.needs and not any(_granted(grants, need) for need in route.needs):
                headers = {"x-accepted-github-permissions": route.needs[0].replace(":", "=")}
                body = gh.error("Resource not accessible by integration", 403)
                return _json(body, 403, headers)
            call = _Call(request, match, grants)
            if route.changes is not None:
                published = route.changes(self, call)
                if published is not None and not published["draft"]:
                    refusal = self._published_changed(request)
                    if refusal is not None:
                        return refusal
            answer = route.handler(self, call)
            return answer if isinstance(answer, Response) else _json(answer)
        self.unserved.append(f"{request.method} {request.full_path}")
        return _json(gh.error("Not Found", 404), 404)

    def _published_changed(self, request: Request) -> Response | None:
        """A change request to a published release: kept; refused as GitHub refuses it when
        the release is immutable (title and notes aside, which this stand-in refuses too)."""
        what = f"{request.method} {request.path}"
        self.after_publish.append(what)
        if not self.immutable:
            return None
        self.refused.append(what)
        message = (
            "Cannot upload assets to an immutable release"
            if request.path.startswith("/uploads/")
            else "Cannot modify an immutable release"
        )
        return _json(gh.error(message, 422), 422)


def _granted(grants: Mapping[str, str], need: str) -> bool:
    scope, level = need.split(":")
    return grants.get(scope) == "write" or grants.get(scope) == level


def _json(data: object, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json.dumps(data), status, headers, content_type="application/json")


def _not_found() -> Response:
    return _json(gh.error("Not Found", 404), 404)


# -- the routes -----------------------------------------------------------------------------


def _repository(s: GitHubStandIn, _: _Call) -> Any:
    return gh.minimal_repository(s.full)


def _list_releases(s: GitHubStandIn, call: _Call) -> Any:
    drafts = call.grants.get("contents") == "write"  # GitHub lists drafts only to writers
    return call.page([r for r in reversed(s.releases) if drafts or not r["draft"]])


def _create_release(s: GitHubStandIn, call: _Call) -> Any:
    data = call.request.get_json()
    if data["tag_name"] in s.burned:
        refusal = gh.error("Validation Failed", 422)
        refusal["errors"] = [
            {"resource": "Release", "code": "custom", "field": "tag_name",
             "message": "tag_name was used by an immutable release"},
        ]  # fmt: skip
        return _json(refusal, 422)
    release = s.draft(str(data["tag_name"]))
    release.update(name=data.get("name"), body=data.get("body", ""), draft=bool(data.get("draft")))
    release["target_commitish"] = data.get("target_commitish", "main")
    return _json(release, 201)


def _release_of(s: GitHubStandIn, rid: str) -> dict[str, Any] | None:
    return next((r for r in s.releases if str(r["id"]) == rid), None)


def _update_release(s: GitHubStandIn, call: _Call) -> Any:
    release = _release_of(s, call.match[1])
    if release is None:
        return _not_found()
    data = call.request.get_json()
    for key in ("tag_name", "name", "body", "draft", "prerelease"):
        if key in data:
            release[key] = data[key]
    if not release["draft"]:
        release["published_at"] = gh.T0
        release["immutable"] = s.immutable
    return release


def _get_release(s: GitHubStandIn, call: _Call) -> Any:
    release = _release_of(s, call.match[1])
    if release is None or (release["draft"] and call.grants.get("contents") != "write"):
        return _not_found()
    return release


def _delete_release(s: GitHubStandIn, call: _Call) -> Any:
    s.releases = [r for r in s.releases if str(r["id"]) != call.match[1]]
    return Response(status=204)


def _asset_owner(s: GitHubStandIn, call: _Call) -> dict[str, Any] | None:
    return next(
        (r for r in s.releases if any(str(a["id"]) == call.match[1] for a in r["assets"])), None
    )


def _changed_release(s: GitHubStandIn, call: _Call) -> dict[str, Any] | None:
    return _release_of(s, call.match[1])


def _upload_asset(s: GitHubStandIn, call: _Call) -> Any:
    release = _release_of(s, call.match[1])
    if release is None:
        return _not_found()
    name = call.request.args["name"]
    if any(a["name"] == name for a in release["assets"]):  # GitHub: one asset per name
        return _json(gh.error("Validation Failed", 422), 422)
    data = call.request.get_data()
    asset = gh.asset(name, release["id"] * 100 + len(release["assets"]))
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    asset.update(size=len(data), content_type=call.request.content_type, digest=digest)
    release["assets"].append(asset)
    return _json(asset, 201)


def _delete_asset(s: GitHubStandIn, call: _Call) -> Any:
    for release in s.releases:
        release["assets"] = [a for a in release["assets"] if str(a["id"]) != call.match[1]]
    return Response(status=204)


def _tag_ref(s: GitHubStandIn, call: _Call) -> Any:
    sha = s.commit_of(f"refs/tags/{call.match[1]}")
    return _not_found() if sha is None else gh.git_ref(call.match[1], sha)


def _get_commit(s: GitHubStandIn, call: _Call) -> Any:
    sha = s.commit_of(call.match[1])
    if sha is None:
        return _json(gh.error(f"No commit found for SHA: {call.match[1]}", 422), 422)
    return gh.commit(sha)


def _check_runs(s: GitHubStandIn, call: _Call) -> Any:
    sha = s.commit_of(call.match[1]) or call.match[1]
    found = s.check_runs.get(sha, [])
    runs = [gh.check_run(n, conclusion=c, rid=i, sha=sha) for i, (n, c) in enumerate(found, 1)]
    return gh.check_runs(*call.page(runs), total=len(runs))


def _statuses(_: GitHubStandIn, __: _Call) -> Any:
    return []


def _labels(s: GitHubStandIn, call: _Call) -> Any:
    pull = s.pulls.get(int(call.match[1]))
    return _not_found() if pull is None else call.page(pull["labels"])


def _compare(s: GitHubStandIn, call: _Call) -> Any:
    listed = s.git("rev-list", "--reverse", f"{call.match[1]}..{call.match[2]}")
    if listed is None:
        return _not_found()
    return gh.comparison(*call.page(listed.split()))


def _public(pull: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in pull.items() if k != "sha"}


def _pulls_of_commit(s: GitHubStandIn, call: _Call) -> Any:
    sha = s.commit_of(call.match[1])
    return call.page([_public(p) for p in s.pulls.values() if p["sha"] == sha])


def _pull_files(s: GitHubStandIn, call: _Call) -> Any:
    """The files a merged pull request changed: its commit against its first parent."""
    pull = s.pulls.get(int(call.match[1]))
    if pull is None or pull["sha"] is None:
        return _not_found()
    changed = s.git("diff", "--name-only", f"{pull['sha']}^1", pull["sha"])
    if changed is None:
        return _not_found()
    return call.page([gh.pull_file(name) for name in changed.splitlines()])


def _open_pull(s: GitHubStandIn, call: _Call) -> Any:
    data = call.request.get_json()
    number = max(s.pulls, default=0) + 1
    pull = {**gh.pull(number, str(data["title"]), merged=False), "sha": None}
    pull["head"]["ref"] = data["head"]
    s.pulls[number] = pull
    return _json(_public(pull), 201)


def _list_pulls(s: GitHubStandIn, call: _Call) -> Any:
    head = call.request.args.get("head", "").split(":")[-1]
    found = [p for p in s.pulls.values() if p["state"] == "open" and p["head"]["ref"] == head]
    return call.page([_public(p) for p in found])


def _run_payload(s: GitHubStandIn, run: RunInfo) -> dict[str, Any]:
    conclusion = "failure" if "failure" in s.conclusions.get(run.id, []) else "success"
    payload = gh.workflow_run(
        run.id, run.event.head_branch, "completed", conclusion, sha=run.event.sha,
        workflow=run.workflow, event=run.event.name, attempt=run.attempt, full=s.full,
    )  # fmt: skip
    payload["name"] = run.name
    return payload


def _get_run(s: GitHubStandIn, call: _Call) -> Any:
    run = s.runs.get(int(call.match[1]))
    return _not_found() if run is None else _run_payload(s, run)


def _list_runs(s: GitHubStandIn, call: _Call) -> Any:
    args = call.request.args
    runs = [
        _run_payload(s, r)
        for r in s.runs.values()
        if r.workflow == call.match[1]
        and r.event.head_branch == args.get("branch", r.event.head_branch)
        and r.event.name == args.get("event", r.event.name)
    ]
    return gh.workflow_runs(*call.page(runs))


_RELEASE_CHANGES = [
    _Route(method, re.compile(pattern), ("contents:write",), handler, changes)
    for method, pattern, handler, changes in [
        ("PATCH", r"/R/releases/(\d+)", _update_release, _changed_release),
        ("DELETE", r"/R/releases/(\d+)", _delete_release, _changed_release),
        ("DELETE", r"/R/releases/assets/(\d+)", _delete_asset, _asset_owner),
        ("POST", r"/uploads/R/releases/(\d+)/assets", _upload_asset, _changed_release),
    ]
]
_ROUTES = _RELEASE_CHANGES + [
    _Route(method, re.compile(pattern), needs, handler)
    for method, pattern, needs, handler in [
        ("GET", r"/R", (), _repository),
        ("GET", r"/R/releases", ("contents:read",), _list_releases),
        ("POST", r"/R/releases", ("contents:write",), _create_release),
        ("GET", r"/R/releases/(\d+)", ("contents:read",), _get_release),
        ("GET", r"/R/git/ref/tags/(.+)", ("contents:read",), _tag_ref),
        ("GET", r"/R/commits/([^/]+)", ("contents:read",), _get_commit),
        ("GET", r"/R/commits/([^/]+)/check-runs", ("checks:read",), _check_runs),
        ("GET", r"/R/commits/([^/]+)/statuses", ("statuses:read",), _statuses),
        ("GET", r"/R/issues/(\d+)/labels", ("issues:read", "pull-requests:read"), _labels),
        ("GET", r"/R/compare/(.+)\.\.\.(.+)", ("contents:read",), _compare),
        ("GET", r"/R/commits/([^/]+)/pulls", ("pull-requests:read",), _pulls_of_commit),
        ("POST", r"/R/pulls", ("pull-requests:write",), _open_pull),
        ("GET", r"/R/pulls", ("pull-requests:read",), _list_pulls),
        ("GET", r"/R/pulls/(\d+)/files", ("pull-requests:read",), _pull_files),
        ("GET", r"/R/actions/runs/(\d+)", ("actions:read",), _get_run),
        ("GET", r"/R/actions/workflows/([^/]+)/runs", ("actions:read",), _list_runs),
    ]
]
