"""A stateful stand-in for GitLab's REST API v4 (docs.gitlab.com/api/rest), on one
pytest-httpserver, for one project with nested groups allowed.

It speaks the documented shapes tagship reads: projects, commits, tags, pipelines and their
jobs, commit statuses, merge requests with labels and diffs, commits' merge requests, the
comparison, releases with their links, generic packages, protected tags, environments and
deployments (a job with an environment deploys to it, as GitLab records it).
Tokens go in PRIVATE-TOKEN or JOB-TOKEN; an unknown one is answered 401, a read-only one 403
on writes. The project is named by its URL-encoded path (`group%2Fsub%2Fproject`), as GitLab
requires; a decoded slash is a 404 as on GitLab. Pages follow `page`/`per_page` and
`X-Next-Page`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from werkzeug import Response

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer
    from werkzeug import Request

_SEGMENT = "([^/]+)"
_STATUS_FIELDS = (
    "id",
    "name",
    "status",
    "created_at",
    "started_at",
    "finished_at",
    "allow_failure",
)


@dataclass
class GitLabStandIn:
    """GitLab for project `path` (group/sub/name) at `server`."""

    server: HTTPServer
    path: str = "acme/tools/charm"
    ci_config_path: str = ""  # the project's setting; empty: .gitlab-ci.yml
    tokens: dict[str, str] = field(default_factory=dict)  # token -> "read" or "write"
    commits: dict[str, dict[str, Any]] = field(default_factory=dict)  # sha -> commit
    tags: dict[str, str] = field(default_factory=dict)  # tag -> sha
    branches: dict[str, str] = field(default_factory=dict)
    pipelines: dict[int, dict[str, Any]] = field(default_factory=dict)
    jobs: dict[int, dict[str, Any]] = field(default_factory=dict)
    statuses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # external
    merge_requests: dict[int, dict[str, Any]] = field(default_factory=dict)
    releases: dict[str, dict[str, Any]] = field(default_factory=dict)
    packages: dict[str, bytes] = field(default_factory=dict)  # package path -> bytes
    protected_tags: list[dict[str, Any]] = field(default_factory=list)
    environments: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, raw path)
    per_page_cap: int = 100
    _ids: Any = field(default_factory=lambda: count(1000))

    def __post_init__(self) -> None:
        self.server.expect_request(re.compile("^/api/v4/.*")).respond_with_handler(self._handle)

    # -- what a test tells it -------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return self.server.url_for("/api/v4")

    @property
    def project_id(self) -> int:
        return 42

    def token(self, access: str = "write") -> str:
        value = f"glpat-{access}-{len(self.tokens)}"
        self.tokens[value] = access
        return value

    def commit(self, sha: str, message: str = "change", *, branch: str = "main") -> None:
        self.commits[sha] = {"id": sha, "short_id": sha[:8], "message": message, "title": message}
        self.branches[branch] = sha

    def pipeline(self, sha: str, ref: str, *, source: str = "push", tag: bool = False) -> int:
        pid: int = next(self._ids)
        self.pipelines[pid] = {
            "id": pid, "iid": pid, "project_id": self.project_id, "sha": sha, "ref": ref,
            "status": "success", "source": source, "tag": tag,
            "created_at": f"2026-12-01T10:00:{pid % 60:02d}Z",
            "web_url": f"https://gitlab.example/{self.path}/-/pipelines/{pid}",
        }  # fmt: skip
        return pid

    def job(
        self, pipeline: int, name: str, status: str = "success", *, environment: str = "",
        **extra: Any,
    ) -> int:  # fmt: skip
        """A job of `pipeline`; with an `environment`, its deployment there too."""
        jid: int = int(extra.pop("id")) if "id" in extra else next(self._ids)
        p = self.pipelines[pipeline]
        self.jobs[jid] = {
            "id": jid, "name": name, "status": status, "stage": "test", "ref": p["ref"],
            "tag": p["tag"], "allow_failure": False,
            "created_at": "2026-12-01T10:00:00Z", "started_at": "2026-12-01T10:00:01Z",
            "finished_at": f"2026-12-01T10:01:{jid % 60:02d}Z",
            "web_url": f"https://gitlab.example/{self.path}/-/jobs/{jid}",
            "commit": {"id": p["sha"]}, "user": {"username": "maintainer"},
            "pipeline": {k: p[k] for k in ("id", "project_id", "ref", "sha", "status")},
            **extra,
        }  # fmt: skip
        if environment:
            self.deployment(jid, environment, status)
        return jid

    def deployment(self, job: int, environment: str, status: str = "success") -> None:
        """A deployment of `job` to `environment` (docs.gitlab.com/api/deployments: the
        environment, the job as `deployable` with its pipeline, the job's status)."""
        found = self.jobs[job]
        did = next(self._ids)
        self.deployments.append({
            "id": did, "iid": did, "ref": found["ref"], "sha": found["commit"]["id"],
            "status": status, "created_at": found["created_at"],
            "updated_at": found["finished_at"], "user": found["user"],
            "environment": {"id": 7, "name": environment, "slug": environment},
            "deployable": {k: v for k, v in found.items() if k != "user"},
        })  # fmt: skip

    def merge_request(
        self, iid: int, *, labels: tuple[str, ...] = (), merged_as: str | None = None,
        files: tuple[str, ...] = (), title: str = "A change", state: str = "merged",
    ) -> None:  # fmt: skip
        self.merge_requests[iid] = {
            "id": 9000 + iid, "iid": iid, "project_id": self.project_id, "title": title,
            "state": state, "labels": list(labels), "author": {"username": "dev"},
            "merge_commit_sha": merged_as, "squash_commit_sha": None,
            "source_branch": f"feature-{iid}", "target_branch": "main",
            "web_url": f"https://gitlab.example/{self.path}/-/merge_requests/{iid}",
            "_files": list(files),
        }  # fmt: skip

    # -- the API ---------------------------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
        path = urlsplit(raw).path
        self.requests.append((request.method, path))
        token = request.headers.get("PRIVATE-TOKEN") or request.headers.get("JOB-TOKEN")
        access = self.tokens.get(token or "")
        if access is None:
            return _json({"message": "401 Unauthorized"}, 401)
        prefix = f"/api/v4/projects/{quote(self.path, safe='')}"
        if not (path == prefix or path.startswith(prefix + "/")):
            return _json({"message": "404 Project Not Found"}, 404)
        rest = path.removeprefix(prefix)
        for method, pattern, handler in _ROUTES:
            match = re.fullmatch(pattern, rest)
            if match is not None and method == request.method:
                if method != "GET" and access != "write":
                    return _json({"message": "403 Forbidden"}, 403)
                return handler(self, request, *(unquote(g) for g in match.groups()))
        return _json({"message": "404 Not Found"}, 404)

    def _page(self, request: Request, items: list[Any]) -> Response:
        per_page = min(int(request.args.get("per_page", "20")), self.per_page_cap)
        page = int(request.args.get("page", "1"))
        chunk = items[(page - 1) * per_page : page * per_page]
        following = str(page + 1) if page * per_page < len(items) else ""
        return _json(chunk, headers={"X-Next-Page": following, "X-Total": str(len(items))})

    def _sha(self, ref: str) -> str | None:
        if ref in self.commits:
            return ref
        return self.tags.get(ref) or self.branches.get(ref)

    def _release_json(self, release: dict[str, Any]) -> dict[str, Any]:
        return {
            **{k: v for k, v in release.items() if not k.startswith("_")},
            "_links": {
                "self": f"https://gitlab.example/{self.path}/-/releases/{release['tag_name']}"
            },
        }


def _json(data: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(data), status, headers=headers, content_type="application/json")


def _not_found(what: str = "Not Found") -> Response:
    return _json({"message": f"404 {what}"}, 404)


def _project(s: GitLabStandIn, _: Request) -> Response:
    return _json({
        "id": s.project_id, "path_with_namespace": s.path, "ci_config_path": s.ci_config_path,
        "default_branch": "main", "web_url": f"https://gitlab.example/{s.path}",
    })  # fmt: skip


def _commit(s: GitLabStandIn, _: Request, ref: str) -> Response:
    sha = s._sha(ref)
    return _json(s.commits.get(sha or "", {"id": sha})) if sha else _not_found("Commit Not Found")


def _tag(s: GitLabStandIn, _: Request, tag: str) -> Response:
    sha = s.tags.get(tag)
    return _json({"name": tag, "commit": {"id": sha}}) if sha else _not_found("Tag Not Found")


def _pipelines(s: GitLabStandIn, request: Request) -> Response:
    asked = {k: request.args[k] for k in ("sha", "ref", "source") if k in request.args}
    found = [p for p in s.pipelines.values() if all(str(p[k]) == v for k, v in asked.items())]
    return s._page(request, sorted(found, key=lambda p: -int(p["id"])))


def _pipeline(s: GitLabStandIn, _: Request, pid: str) -> Response:
    found = s.pipelines.get(int(pid))
    return _json(found) if found else _not_found()


def _pipeline_jobs(s: GitLabStandIn, request: Request, pid: str) -> Response:
    if int(pid) not in s.pipelines:
        return _not_found()
    return s._page(request, [j for j in s.jobs.values() if j["pipeline"]["id"] == int(pid)])


def _job(s: GitLabStandIn, _: Request, jid: str) -> Response:
    job = s.jobs.get(int(jid))
    return _json(job) if job else _not_found()


def _statuses(s: GitLabStandIn, request: Request, sha: str) -> Response:
    jobs = [
        {k: j[k] for k in _STATUS_FIELDS}
        | {"sha": sha, "ref": j["ref"], "target_url": j["web_url"]}
        for j in s.jobs.values()
        if j["commit"]["id"] == sha
    ]  # fmt: skip
    return s._page(request, jobs + s.statuses.get(sha, []))


def _compare(s: GitLabStandIn, request: Request) -> Response:
    base, head = s._sha(request.args.get("from", "")), s._sha(request.args.get("to", ""))
    if base is None or head is None:
        return _not_found("Ref Not Found")
    shas = list(s.commits)
    between = shas[shas.index(base) + 1 : shas.index(head) + 1]
    return _json(
        {"commit": s.commits[head], "commits": [s.commits[c] for c in between], "diffs": []}
    )


def _public_mr(mr: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mr.items() if not k.startswith("_")}


def _mr(s: GitLabStandIn, _: Request, iid: str) -> Response:
    mr = s.merge_requests.get(int(iid))
    return _json(_public_mr(mr)) if mr else _not_found()


def _mr_diffs(s: GitLabStandIn, request: Request, iid: str) -> Response:
    mr = s.merge_requests.get(int(iid))
    if mr is None:
        return _not_found()
    return s._page(request, [{"old_path": f, "new_path": f, "diff": ""} for f in mr["_files"]])


def _commit_mrs(s: GitLabStandIn, request: Request, sha: str) -> Response:
    found = [_public_mr(m) for m in s.merge_requests.values() if m["merge_commit_sha"] == sha]
    return s._page(request, found)


def _list_mrs(s: GitLabStandIn, request: Request) -> Response:
    state = request.args.get("state") or None
    found = [
        _public_mr(m) for m in s.merge_requests.values()
        if m["source_branch"] == request.args.get("source_branch", m["source_branch"])
        and (state is None or m["state"] == state)
    ]  # fmt: skip
    return s._page(request, found)


def _create_mr(s: GitLabStandIn, request: Request) -> Response:
    body = request.get_json()
    iid = max(s.merge_requests, default=0) + 1
    s.merge_request(iid, title=body["title"], state="opened")
    s.merge_requests[iid].update(
        source_branch=body["source_branch"], target_branch=body["target_branch"]
    )
    return _json(_public_mr(s.merge_requests[iid]), 201)


def _releases(s: GitLabStandIn, request: Request) -> Response:
    return s._page(request, [s._release_json(r) for r in reversed(s.releases.values())])


def _release(s: GitLabStandIn, _: Request, tag: str) -> Response:
    found = s.releases.get(tag)
    return _json(s._release_json(found)) if found else _not_found()


def _create_release(s: GitLabStandIn, request: Request) -> Response:
    body = request.get_json()
    tag = body["tag_name"]
    if tag in s.releases:
        return _json({"message": "Release already exists"}, 409)
    if tag not in s.tags and not body.get("ref"):
        # GitLab creates a missing tag only from `ref`; without one it refuses
        return _json({"message": "Ref is not specified"}, 422)
    links = [{"id": next(s._ids), **link} for link in body.get("assets", {}).get("links", [])]
    s.releases[tag] = {
        "tag_name": tag, "name": body.get("name") or tag,
        "description": body.get("description", ""),
        "created_at": "2026-12-01T12:00:00Z", "released_at": "2026-12-01T12:00:00Z",
        "upcoming_release": False, "commit": {"id": s.tags.get(tag)},
        "assets": {"count": len(links), "sources": [], "links": links},
    }  # fmt: skip
    return _json(s._release_json(s.releases[tag]), 201)


def _update_release(s: GitLabStandIn, request: Request, tag: str) -> Response:
    found = s.releases.get(tag)
    if found is None:
        return _not_found()
    body = request.get_json()
    found.update({k: body[k] for k in ("name", "description") if k in body})
    return _json(s._release_json(found))


def _add_link(s: GitLabStandIn, request: Request, tag: str) -> Response:
    found = s.releases.get(tag)
    if found is None:
        return _not_found()
    link = {"id": next(s._ids), **request.get_json()}
    found["assets"]["links"].append(link)
    return _json(link, 201)


def _delete_link(s: GitLabStandIn, _: Request, tag: str, lid: str) -> Response:
    found = s.releases.get(tag)
    links = found["assets"]["links"] if found else []
    kept = [link for link in links if link["id"] != int(lid)]
    if found is None or len(kept) == len(links):
        return _not_found()
    found["assets"]["links"] = kept
    return _json(next(link for link in links if link["id"] == int(lid)))


def _put_package(
    s: GitLabStandIn, request: Request, name: str, version: str, file: str
) -> Response:
    data = request.get_data()
    s.packages[f"{name}/{version}/{file}"] = data
    if request.args.get("select") == "package_file":
        return _json({
            "id": next(s._ids), "file_name": file, "size": len(data),
            "file_sha256": hashlib.sha256(data).hexdigest(),
        }, 201)  # fmt: skip
    return _json({"message": "201 Created"}, 201)


def _protected_tags(s: GitLabStandIn, request: Request) -> Response:
    return s._page(request, s.protected_tags)


def _environments(s: GitLabStandIn, request: Request) -> Response:
    return s._page(request, s.environments)


def _deployments(s: GitLabStandIn, request: Request) -> Response:
    environment, status = request.args.get("environment"), request.args.get("status")
    found = [
        d for d in s.deployments
        if environment in (None, d["environment"]["name"]) and status in (None, d["status"])
    ]  # fmt: skip
    return s._page(request, found)


_ROUTES = (
    ("GET", "", _project),
    ("GET", f"/repository/commits/{_SEGMENT}", _commit),
    ("GET", f"/repository/commits/{_SEGMENT}/statuses", _statuses),
    ("GET", f"/repository/commits/{_SEGMENT}/merge_requests", _commit_mrs),
    ("GET", f"/repository/tags/{_SEGMENT}", _tag),
    ("GET", "/repository/compare", _compare),
    ("GET", "/pipelines", _pipelines),
    ("GET", f"/pipelines/{_SEGMENT}", _pipeline),
    ("GET", f"/pipelines/{_SEGMENT}/jobs", _pipeline_jobs),
    ("GET", f"/jobs/{_SEGMENT}", _job),
    ("GET", "/merge_requests", _list_mrs),
    ("POST", "/merge_requests", _create_mr),
    ("GET", f"/merge_requests/{_SEGMENT}", _mr),
    ("GET", f"/merge_requests/{_SEGMENT}/diffs", _mr_diffs),
    ("GET", "/releases", _releases),
    ("POST", "/releases", _create_release),
    ("GET", f"/releases/{_SEGMENT}", _release),
    ("PUT", f"/releases/{_SEGMENT}", _update_release),
    ("POST", f"/releases/{_SEGMENT}/assets/links", _add_link),
    ("DELETE", f"/releases/{_SEGMENT}/assets/links/{_SEGMENT}", _delete_link),
    ("PUT", f"/packages/generic/{_SEGMENT}/{_SEGMENT}/{_SEGMENT}", _put_package),
    ("GET", "/protected_tags", _protected_tags),
    ("GET", "/environments", _environments),
    ("GET", "/deployments", _deployments),
)
