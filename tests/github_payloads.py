"""GitHub REST payloads shaped as GitHub documents them (every required field present).

githubkit validates answers strictly, so a field missing here fails the parse just as it
would against a GitHub that changed its API. Values follow the examples of GitHub's REST docs.
"""

from __future__ import annotations

from typing import Any

API = "https://api.github.com"
WEB = "https://github.com"
OWNER, NAME = "CharmAIOS", "Charm"
FULL = f"{OWNER}/{NAME}"
T0 = "2026-01-02T03:04:05Z"
# the `*_url` fields every repository object carries
_REPO_URLS = (  # noqa: SIM905 - a word list reads better as one string
    "archive assignees blobs branches collaborators comments commits compare contents "
    "contributors deployments downloads events forks git_commits git_refs git_tags "
    "issue_comment issue_events issues keys labels languages merges milestones notifications "
    "pulls releases stargazers statuses subscribers subscription tags teams trees hooks"
).split()


def user(login: str = "octocat", uid: int = 1) -> dict[str, Any]:
    base = f"{API}/users/{login}"
    return {
        "login": login,
        "id": uid,
        "node_id": f"U_{uid}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}",
        "gravatar_id": "",
        "url": base,
        "html_url": f"{WEB}/{login}",
        "followers_url": f"{base}/followers",
        "following_url": f"{base}/following{{/other_user}}",
        "gists_url": f"{base}/gists{{/gist_id}}",
        "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{base}/subscriptions",
        "organizations_url": f"{base}/orgs",
        "repos_url": f"{base}/repos",
        "events_url": f"{base}/events{{/privacy}}",
        "received_events_url": f"{base}/received_events",
        "type": "User",
        "site_admin": False,
    }


def minimal_repository(full: str = FULL) -> dict[str, Any]:
    base = f"{API}/repos/{full}"
    owner, name = full.split("/")
    repo: dict[str, Any] = {
        "id": 1296269,
        "node_id": "R_1",
        "name": name,
        "full_name": full,
        "owner": user(owner, 2),
        "private": False,
        "html_url": f"{WEB}/{full}",
        "description": "the Charm SDK",
        "fork": False,
        "url": base,
    }
    repo.update({f"{part}_url": f"{base}/{part}" for part in _REPO_URLS})
    return repo


def repository() -> dict[str, Any]:
    repo = minimal_repository()
    repo.update(
        {
            "license": None,
            "forks": 0,
            "git_url": f"git://github.com/{FULL}.git",
            "ssh_url": f"git@github.com:{FULL}.git",
            "clone_url": f"{WEB}/{FULL}.git",
            "mirror_url": None,
            "svn_url": f"{WEB}/{FULL}",
            "homepage": None,
            "language": "Python",
            "forks_count": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "size": 10,
            "default_branch": "main",
            "open_issues_count": 0,
            "has_pages": False,
            "disabled": False,
            "pushed_at": T0,
            "created_at": T0,
            "updated_at": T0,
            "open_issues": 0,
            "watchers": 0,
        }
    )
    return repo


def label(name: str, lid: int = 1) -> dict[str, Any]:
    return {
        "id": lid,
        "node_id": f"LA_{lid}",
        "url": f"{API}/repos/{FULL}/labels/{name}",
        "name": name,
        "description": None,
        "color": "f29513",
        "default": False,
        "archived_at": None,
        "archived_by": None,
    }


def check_run(
    name: str,
    status: str = "completed",
    conclusion: str | None = "success",
    *,
    rid: int = 1,
    sha: str = "a" * 40,
    started_at: str | None = T0,
) -> dict[str, Any]:
    return {
        "id": rid,
        "head_sha": sha,
        "node_id": f"CR_{rid}",
        "external_id": "",
        "url": f"{API}/repos/{FULL}/check-runs/{rid}",
        "html_url": f"{WEB}/{FULL}/runs/{rid}",
        "details_url": f"{WEB}/{FULL}/actions/runs/{rid}",
        "status": status,
        "conclusion": conclusion if status == "completed" else None,
        "started_at": started_at,
        "completed_at": started_at if status == "completed" else None,
        "output": {
            "title": None,
            "summary": None,
            "text": None,
            "annotations_count": 0,
            "annotations_url": f"{API}/repos/{FULL}/check-runs/{rid}/annotations",
        },
        "name": name,
        "check_suite": {"id": 5},
        "app": None,
        "pull_requests": [],
    }


def check_runs(*runs: dict[str, Any], total: int | None = None) -> dict[str, Any]:
    return {"total_count": len(runs) if total is None else total, "check_runs": list(runs)}


def status(context: str, state: str = "success", *, sid: int = 1, at: str = T0) -> dict[str, Any]:
    return {
        "url": f"{API}/repos/{FULL}/statuses/{'a' * 40}",
        "avatar_url": "https://github.com/images/error/hubot_happy.gif",
        "id": sid,
        "node_id": f"SC_{sid}",
        "state": state,
        "description": f"{context} is {state}",
        "target_url": f"https://ci.example.com/{sid}",
        "context": context,
        "created_at": at,
        "updated_at": at,
        "creator": user(),
    }


def commit(sha: str, message: str = "change") -> dict[str, Any]:
    url = f"{API}/repos/{FULL}/commits/{sha}"
    person = {"name": "Monalisa Octocat", "email": "mona@github.com", "date": T0}
    return {
        "url": url,
        "sha": sha,
        "node_id": f"C_{sha[:8]}",
        "html_url": f"{WEB}/{FULL}/commit/{sha}",
        "comments_url": f"{url}/comments",
        "commit": {
            "url": f"{API}/repos/{FULL}/git/commits/{sha}",
            "author": person,
            "committer": person,
            "message": message,
            "comment_count": 0,
            "tree": {"sha": "f" * 40, "url": f"{API}/repos/{FULL}/git/trees/{'f' * 40}"},
        },
        "author": user(),
        "committer": user(),
        "parents": [],
    }


def comparison(*shas: str) -> dict[str, Any]:
    base = f"{API}/repos/{FULL}/compare/v1...main"
    return {
        "url": base,
        "html_url": f"{WEB}/{FULL}/compare/v1...main",
        "permalink_url": base,
        "diff_url": f"{base}.diff",
        "patch_url": f"{base}.patch",
        "base_commit": commit("b" * 40),
        "merge_base_commit": commit("b" * 40),
        "status": "ahead",
        "ahead_by": len(shas),
        "behind_by": 0,
        "total_commits": len(shas),
        "commits": [commit(s) for s in shas],
    }


def _branch(ref: str) -> dict[str, Any]:
    return {
        "label": f"{OWNER}:{ref}",
        "ref": ref,
        "repo": repository(),
        "sha": "c" * 40,
        "user": user(OWNER, 2),
    }


def pull(
    number: int,
    title: str,
    labels: tuple[str, ...] = (),
    *,
    author: str = "octocat",
    merged: bool = True,
) -> dict[str, Any]:
    base = f"{API}/repos/{FULL}/pulls/{number}"
    issue = f"{API}/repos/{FULL}/issues/{number}"
    links = {
        "comments": {"href": f"{issue}/comments"},
        "commits": {"href": f"{base}/commits"},
        "statuses": {"href": f"{API}/repos/{FULL}/statuses/{'c' * 40}"},
        "html": {"href": f"{WEB}/{FULL}/pull/{number}"},
        "issue": {"href": issue},
        "review_comments": {"href": f"{base}/comments"},
        "review_comment": {"href": f"{API}/repos/{FULL}/pulls/comments{{/number}}"},
        "self": {"href": base},
    }
    return {
        "url": base,
        "id": 1000 + number,
        "node_id": f"PR_{number}",
        "html_url": f"{WEB}/{FULL}/pull/{number}",
        "diff_url": f"{WEB}/{FULL}/pull/{number}.diff",
        "patch_url": f"{WEB}/{FULL}/pull/{number}.patch",
        "issue_url": issue,
        "commits_url": f"{base}/commits",
        "review_comments_url": f"{base}/comments",
        "review_comment_url": f"{API}/repos/{FULL}/pulls/comments{{/number}}",
        "comments_url": f"{issue}/comments",
        "statuses_url": f"{API}/repos/{FULL}/statuses/{'c' * 40}",
        "number": number,
        "state": "closed" if merged else "open",
        "locked": False,
        "title": title,
        "user": user(author, 100 + number),
        "body": None,
        "labels": [label(name, i) for i, name in enumerate(labels, start=1)],
        "milestone": None,
        "created_at": T0,
        "updated_at": T0,
        "closed_at": T0 if merged else None,
        "merged_at": T0 if merged else None,
        "head": _branch(f"feature-{number}"),
        "base": _branch("main"),
        "_links": links,
        "author_association": "MEMBER",
        "auto_merge": None,
    }


def asset(name: str, aid: int = 1) -> dict[str, Any]:
    return {
        "url": f"{API}/repos/{FULL}/releases/assets/{aid}",
        "browser_download_url": f"{WEB}/{FULL}/releases/download/v1/{name}",
        "id": aid,
        "node_id": f"RA_{aid}",
        "name": name,
        "label": None,
        "state": "uploaded",
        "content_type": "application/json",
        "size": 10,
        "digest": None,
        "download_count": 0,
        "created_at": T0,
        "updated_at": T0,
        "uploader": user(),
    }


def release(
    rid: int,
    tag: str,
    *,
    draft: bool = False,
    prerelease: bool = False,
    body: str = "",
    upload_base: str = "https://uploads.github.com",
    assets: tuple[str, ...] = (),
) -> dict[str, Any]:
    base = f"{API}/repos/{FULL}/releases/{rid}"
    return {
        "url": base,
        "html_url": f"{WEB}/{FULL}/releases/tag/{tag}",
        "assets_url": f"{base}/assets",
        "upload_url": f"{upload_base}/repos/{FULL}/releases/{rid}/assets{{?name,label}}",
        "tarball_url": f"{API}/repos/{FULL}/tarball/{tag}",
        "zipball_url": f"{API}/repos/{FULL}/zipball/{tag}",
        "id": rid,
        "node_id": f"RE_{rid}",
        "tag_name": tag,
        "target_commitish": "main",
        "name": tag,
        "body": body,
        "draft": draft,
        "prerelease": prerelease,
        "created_at": T0,
        "published_at": None if draft else T0,
        "author": user(),
        "assets": [asset(n, rid * 10 + i) for i, n in enumerate(assets)],
    }


def git_ref(tag: str, sha: str = "d" * 40) -> dict[str, Any]:
    return {
        "ref": f"refs/tags/{tag}",
        "node_id": "REF_1",
        "url": f"{API}/repos/{FULL}/git/refs/tags/{tag}",
        "object": {"type": "commit", "sha": sha, "url": f"{API}/repos/{FULL}/git/commits/{sha}"},
    }


def workflow_run(
    rid: int,
    tag: str,
    status: str = "completed",
    conclusion: str | None = "success",
    *,
    created_at: str = T0,
    sha: str = "d" * 40,
    workflow: str = "publish-pypi.yml",
    event: str = "push",
    attempt: int = 1,
    full: str = FULL,
) -> dict[str, Any]:
    """A workflow run as `GET /repos/{owner}/{repo}/actions/runs/{id}` answers (and listings
    hold): `tag` is its head_branch, the branch or tag name without refs/."""
    base = f"{API}/repos/{full}/actions/runs/{rid}"
    return {
        "id": rid,
        "name": "Publish to PyPI",
        "node_id": f"WFR_{rid}",
        "check_suite_id": rid,
        "check_suite_node_id": f"CS_{rid}",
        "head_branch": tag,
        "head_sha": sha,
        "path": f".github/workflows/{workflow}",
        "run_number": rid,
        "run_attempt": attempt,
        "referenced_workflows": [],
        "event": event,
        "status": status,
        "conclusion": conclusion if status == "completed" else None,
        "workflow_id": 7,
        "url": base,
        "html_url": f"{WEB}/{FULL}/actions/runs/{rid}",
        "pull_requests": [],
        "created_at": created_at,
        "updated_at": created_at,
        "actor": user(),
        "triggering_actor": user(),
        "run_started_at": created_at,
        "jobs_url": f"{base}/jobs",
        "logs_url": f"{base}/logs",
        "check_suite_url": f"{API}/repos/{full}/check-suites/{rid}",
        "artifacts_url": f"{base}/artifacts",
        "cancel_url": f"{base}/cancel",
        "rerun_url": f"{base}/rerun",
        "previous_attempt_url": f"{base}/attempts/{attempt - 1}" if attempt > 1 else None,
        "workflow_url": f"{API}/repos/{full}/actions/workflows/7",
        "head_commit": None,
        "repository": minimal_repository(full),
        "head_repository": minimal_repository(full),
        "head_repository_id": 1296269,
        "display_title": f"release {tag}",
    }


def workflow_runs(*runs: dict[str, Any]) -> dict[str, Any]:
    return {"total_count": len(runs), "workflow_runs": list(runs)}


def error(message: str, status: int) -> dict[str, Any]:
    return {
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": str(status),
    }


def pull_file(filename: str, previous: str | None = None) -> dict[str, Any]:
    """One entry of `GET /repos/{o}/{r}/pulls/{n}/files` (a diff entry)."""
    entry: dict[str, Any] = {
        "sha": "f" * 40,
        "filename": filename,
        "status": "modified" if previous is None else "renamed",
        "additions": 1,
        "deletions": 0,
        "changes": 1,
        "blob_url": f"{WEB}/{FULL}/blob/main/{filename}",
        "raw_url": f"{WEB}/{FULL}/raw/main/{filename}",
        "contents_url": f"{API}/repos/{FULL}/contents/{filename}?ref=main",
    }
    if previous is not None:
        entry["previous_filename"] = previous
    return entry
