"""A stateful stand-in for the repository settings GitHub's REST API manages: environments and
their deployment branch policies, labels, rulesets and the rules a branch gets from them,
classic branch protection, and the users and teams a reviewer is looked up by. Answers are
shaped as GitHub's REST docs show them (complete objects: githubkit validates them), writes
change the state, and every request is logged. A token that is not an admin's gets 403 on
every write, as GitHub answers it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug import Response

import github_payloads as gh

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer
    from werkzeug import Request

REPO = f"/repos/{gh.FULL}"
_ADMIN_HEADER = {"X-Accepted-GitHub-Permissions": "administration=write"}


def _team(org: str, slug: str, tid: int) -> dict[str, Any]:
    base = f"{gh.API}/orgs/{org}/teams/{slug}"
    org_user = gh.user(org, 2)
    organization = {
        **{k: org_user[k] for k in ("login", "id", "node_id", "url", "avatar_url")},
        **{k: f"{gh.API}/orgs/{org}/{k[:-4]}" for k in ("repos_url", "events_url", "hooks_url")},
        "issues_url": f"{gh.API}/orgs/{org}/issues",
        "members_url": f"{gh.API}/orgs/{org}/members{{/member}}",
        "public_members_url": f"{gh.API}/orgs/{org}/public_members{{/member}}",
        "description": None,
        "html_url": f"{gh.WEB}/{org}",
        "has_organization_projects": True,
        "has_repository_projects": True,
        "public_repos": 1,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": gh.T0,
        "updated_at": gh.T0,
        "type": "Organization",
        "archived_at": None,
    }
    return {
        "id": tid,
        "node_id": f"T_{tid}",
        "url": base,
        "html_url": f"{gh.WEB}/orgs/{org}/teams/{slug}",
        "name": slug,
        "slug": slug,
        "description": None,
        "privacy": "closed",
        "permission": "pull",
        "members_url": f"{base}/members{{/member}}",
        "repositories_url": f"{base}/repos",
        "members_count": 2,
        "repos_count": 1,
        "created_at": gh.T0,
        "updated_at": gh.T0,
        "organization": organization,
        "type": "team",
    }


@dataclass
class SettingsStandIn:
    """GitHub's settings of one repository; `admin`: whether the token may change them."""

    server: HTTPServer
    full: str = gh.FULL  # owner/name
    admin: bool = True
    says_admin: bool = True  # False: GitHub does not say (a fine-grained or an App's token)
    no_issues_write: bool = False  # the token may not write labels (issues: write)
    user: tuple[str, int] | None = ("maintainer", 7)  # None: a GitHub App's token, no user
    logins: tuple[str, ...] = ("octocat", "maintainer")  # the users GitHub knows
    environments: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    rulesets: list[dict[str, Any]] = field(default_factory=list)
    classic: list[str] | None = None  # checks classic branch protection requires on main
    log: list[tuple[str, str, Any]] = field(default_factory=list)
    _ids: int = 100

    @property
    def repo(self) -> str:
        return f"/repos/{self.full}"

    def __post_init__(self) -> None:
        self.server.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    # -- what a test sets up ---------------------------------------------------------------

    def add_label(self, name: str, color: str) -> None:
        self.labels[name] = {**gh.label(name, self._next()), "color": color}

    def add_environment(
        self, name: str, *, reviewer: tuple[str, int] | None = None, custom: bool = False
    ) -> None:
        self._put_environment(
            name, {"reviewers": [{"type": "User", "id": reviewer[1]}]} if reviewer else {}
        )
        if custom:
            self.environments[name]["deployment_branch_policy"] = {
                "protected_branches": False,
                "custom_branch_policies": True,
            }

    @property
    def writes(self) -> list[tuple[str, str, Any]]:
        return [entry for entry in self.log if entry[0] != "GET"]

    # -- the protocol ----------------------------------------------------------------------

    def _next(self) -> int:
        self._ids += 1
        return self._ids

    def _handle(self, request: Request) -> Response:
        body = json.loads(request.data) if request.data else None
        self.log.append((request.method, request.path, body))
        if request.method != "GET" and not self.admin:
            return self._json(
                gh.error("Resource not accessible by personal access token", 403),
                403,
                _ADMIN_HEADER,
            )
        path = request.path
        if request.method != "GET" and self.no_issues_write and path.endswith("/labels"):
            return self._json(
                gh.error("Resource not accessible by personal access token", 403),
                403,
                {"X-Accepted-GitHub-Permissions": "issues=write"},
            )
        routes = (
            ("GET", self.repo, self._repository),
            ("GET", "/user", self._token_user),
            ("GET", r"/users/(?P<login>[^/]+)", self._user),
            ("GET", r"/orgs/(?P<org>[^/]+)/teams/(?P<slug>[^/]+)", self._team),
            ("GET", f"{self.repo}/environments", self._list_environments),
            ("GET", f"{self.repo}/environments/(?P<env>[^/]+)", self._environment),
            ("PUT", f"{self.repo}/environments/(?P<env>[^/]+)", self._put),
            (
                "GET",
                f"{self.repo}/environments/(?P<env>[^/]+)/deployment-branch-policies",
                self._policies,
            ),
            (
                "POST",
                f"{self.repo}/environments/(?P<env>[^/]+)/deployment-branch-policies",
                self._add_policy,
            ),
            ("GET", f"{self.repo}/labels", self._labels),
            ("POST", f"{self.repo}/labels", self._add_label),
            (
                "GET",
                f"{self.repo}/rulesets",
                lambda _m, _b: [self._summary(r) for r in self.rulesets],
            ),
            ("GET", f"{self.repo}/rulesets/(?P<id>[0-9]+)", self._ruleset),
            ("POST", f"{self.repo}/rulesets", self._add_ruleset),
            ("PUT", f"{self.repo}/rulesets/(?P<id>[0-9]+)", self._update_ruleset),
            ("GET", f"{self.repo}/rules/branches/(?P<branch>.+)", self._branch_rules),
            ("GET", f"{self.repo}/branches/main/protection/required_status_checks", self._checks),
        )
        for method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if match and method == request.method:
                if request.args.get("page", "1") != "1":
                    return self._json([])  # githubkit pages until an empty one
                answer = handler(match, body)
                if isinstance(answer, Response):
                    return answer
                return self._json(answer, 201 if method == "POST" else 200)
        return self._json(gh.error("Not Found", 404), 404)

    @staticmethod
    def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return Response(json.dumps(data), status, headers, content_type="application/json")

    def _missing(self) -> Response:
        return self._json(gh.error("Not Found", 404), 404)

    def _repository(self, _m: re.Match[str], _b: Any) -> Any:
        if not self.says_admin:
            return gh.minimal_repository(self.full)
        return {
            **gh.minimal_repository(self.full),
            "permissions": {"admin": self.admin, "push": True, "pull": True},
        }

    def _token_user(self, _m: re.Match[str], _b: Any) -> Any:
        if self.user is None:
            return self._json(gh.error("Resource not accessible by integration", 403), 403)
        return gh.user(*self.user)

    def _user(self, match: re.Match[str], _b: Any) -> Any:
        login = match["login"]
        if login not in self.logins:
            return self._missing()
        return gh.user(login, 70 + len(login))

    def _team(self, match: re.Match[str], _b: Any) -> Any:
        return _team(match["org"], match["slug"], 900)

    # environments

    def _put_environment(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        eid = self.environments[name]["id"] if name in self.environments else self._next()
        rules: list[dict[str, Any]] = []
        if body.get("wait_timer"):
            rules.append(
                {
                    "id": self._next(),
                    "node_id": "GA_w",
                    "type": "wait_timer",
                    "wait_timer": body["wait_timer"],
                }
            )
        reviewers = body.get("reviewers") or []
        if reviewers:
            rules.append(
                {
                    "id": self._next(),
                    "node_id": "GA_r",
                    "prevent_self_review": bool(body.get("prevent_self_review")),
                    "type": "required_reviewers",
                    "reviewers": [
                        {
                            "type": r["type"],
                            "reviewer": gh.user(f"user{r['id']}", r["id"])
                            if r["type"] == "User"
                            else _team("CharmAIOS", f"team{r['id']}", r["id"]),
                        }
                        for r in reviewers
                    ],
                }
            )
        policy = body.get("deployment_branch_policy")
        if policy is not None:
            rules.append({"id": self._next(), "node_id": "GA_b", "type": "branch_policy"})
        env = {
            "id": eid,
            "node_id": f"EN_{eid}",
            "name": name,
            "url": f"{gh.API}{self.repo}/environments/{name}",
            "html_url": f"{gh.WEB}/{self.full}/deployments/activity_log?environments_filter={name}",
            "created_at": gh.T0,
            "updated_at": gh.T0,
            "protection_rules": rules,
            "deployment_branch_policy": policy,
        }
        self.environments[name] = env
        return env

    def _list_environments(self, _m: re.Match[str], _b: Any) -> Any:
        items = list(self.environments.values())
        return {"total_count": len(items), "environments": items}

    def _environment(self, match: re.Match[str], _b: Any) -> Any:
        return self.environments.get(match["env"]) or self._missing()

    def _put(self, match: re.Match[str], body: Any) -> Any:
        return self._put_environment(match["env"], body or {})

    def _policies(self, match: re.Match[str], _b: Any) -> Any:
        items = self.policies.get(match["env"], [])
        return {"total_count": len(items), "branch_policies": items}

    def _add_policy(self, match: re.Match[str], body: Any) -> Any:
        env = self.environments.get(match["env"])
        policy = (env or {}).get("deployment_branch_policy") or {}
        if not policy.get("custom_branch_policies"):
            # GitHub's answer when the environment does not take custom policies
            return self._json(gh.error("Not Found", 404), 404)
        pid = self._next()
        item = {
            "id": pid,
            "node_id": f"DBP_{pid}",
            "name": body["name"],
            "type": body.get("type", "branch"),
        }
        self.policies.setdefault(match["env"], []).append(item)
        return item

    # labels

    def _labels(self, _m: re.Match[str], _b: Any) -> Any:
        return list(self.labels.values())

    def _add_label(self, _m: re.Match[str], body: Any) -> Any:
        if body["name"] in self.labels:
            return self._json(gh.error("Validation Failed", 422), 422)
        label = {
            **gh.label(body["name"], self._next()),
            "color": body["color"],
            "description": body.get("description"),
        }
        self.labels[body["name"]] = label
        return label

    # rulesets and protection

    def _summary(self, ruleset: dict[str, Any]) -> dict[str, Any]:
        return {
            k: ruleset[k]
            for k in ("id", "name", "target", "source_type", "source", "enforcement", "node_id")
        }

    def _full(self, rid: int, body: dict[str, Any]) -> dict[str, Any]:
        return {
            **body,
            "id": rid,
            "node_id": f"RRS_{rid}",
            "source_type": "Repository",
            "source": self.full,
            "bypass_actors": body.get("bypass_actors", []),
            "created_at": gh.T0,
            "updated_at": gh.T0,
        }

    def _ruleset(self, match: re.Match[str], _b: Any) -> Any:
        found = [r for r in self.rulesets if r["id"] == int(match["id"])]
        return found[0] if found else self._missing()

    def _add_ruleset(self, _m: re.Match[str], body: Any) -> Any:
        ruleset = self._full(self._next(), body)
        self.rulesets.append(ruleset)
        return ruleset

    def _update_ruleset(self, match: re.Match[str], body: Any) -> Any:
        rid = int(match["id"])
        (old,) = [r for r in self.rulesets if r["id"] == rid]
        # a field the PUT leaves out stays as it is; `rules` and `conditions` are replaced
        ruleset = self._full(rid, {**old, **body})
        self.rulesets = [ruleset if r["id"] == rid else r for r in self.rulesets]
        return ruleset

    def _branch_rules(self, match: re.Match[str], _b: Any) -> Any:
        ref = f"refs/heads/{match['branch']}"
        return [
            {
                **rule,
                "ruleset_source_type": "Repository",
                "ruleset_source": self.full,
                "ruleset_id": r["id"],
            }
            for r in self.rulesets
            if r["enforcement"] == "active" and ref in r["conditions"]["ref_name"]["include"]
            for rule in r["rules"]
        ]

    def _checks(self, _m: re.Match[str], _b: Any) -> Any:
        if self.classic is None:
            return self._json(gh.error("Branch not protected", 404), 404)
        url = f"{gh.API}{self.repo}/branches/main/protection/required_status_checks"
        return {
            "url": url,
            "strict": False,
            "contexts": self.classic,
            "checks": [{"context": c, "app_id": None} for c in self.classic],
            "contexts_url": f"{url}/contexts",
        }
