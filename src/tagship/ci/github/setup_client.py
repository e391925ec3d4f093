"""The REST calls of `tagship setup github`: read the repository's environments, labels and
the checks its release branch requires, then make the changes the plan lists.

Every write is a `Change` (method, path, JSON body), so the plan that is shown is the very
request that is sent. The branch's rules are read as the JSON GitHub sends (a rule is one of
two dozen shapes; only the required status checks are looked at).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tagship.ci.github.settings import Denied, RepoSettings
from tagship.core.errors import ConfigError, ServiceError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

_PER_PAGE = 100
ADMIN = "administration: write"


@dataclass(frozen=True)
class Reviewer:
    """A person or team who approves deployments, as GitHub identifies them."""

    type: str  # "User" or "Team"
    id: int
    name: str  # login, or org/slug


@dataclass(frozen=True)
class EnvironmentState:
    """An environment as it is: its protection and which refs may deploy to it."""

    name: str
    wait_timer: int
    prevent_self_review: bool
    reviewers: tuple[Reviewer, ...]
    # None: any branch; "protected": protected branches only; "custom": the patterns
    refs: str | None
    patterns: tuple[tuple[str, str], ...]  # (type, name pattern) when refs is "custom"


@dataclass(frozen=True)
class LabelState:
    name: str
    color: str
    description: str


@dataclass(frozen=True)
class RulesetState:
    """A ruleset as GitHub sends it: only what an update must keep is looked at."""

    id: int
    enforcement: str
    include: tuple[str, ...]  # the refs its conditions include
    rules: tuple[Mapping[str, Any], ...]  # every rule, as sent (an update sends them back)


@dataclass(frozen=True)
class Change:
    """One request that changes the repository, and the line that says what it does."""

    what: str
    method: str
    path: str
    body: Mapping[str, Any]
    permission: str


class SetupClient(RepoSettings):
    """Reads and writes of `tagship setup github`."""

    @contextmanager
    def connected(self) -> Iterator[None]:
        """One HTTP client for the many requests of a setup: githubkit otherwise makes one
        (and a TLS context, ~50 ms) per request."""
        with self._gh:
            yield

    @property
    def _repo(self) -> str:
        return f"/repos/{self.owner}/{self.repo}"

    def may_administer(self) -> bool | None:
        """Whether the token's user is an admin of the repository; None when GitHub does not
        say (a GitHub App's token)."""
        raw: Any = self._call(
            f"reading {self.full_name}",
            "metadata: read",
            lambda: self._gh.request("GET", self._repo).json(),
        )
        permissions = raw.get("permissions") if isinstance(raw, dict) else None
        if not isinstance(permissions, dict) or "admin" not in permissions:
            return None
        return permissions["admin"] is True

    def environment(self, name: str) -> EnvironmentState | None:
        env: Any = self._found(
            f"reading environment {name}",
            "actions: read",
            lambda: self._gh.rest.repos.get_environment(self.owner, self.repo, name).parsed_data,
        )
        if env is None:
            return None
        wait, reviewers = 0, []
        for rule in env.protection_rules or ():
            if rule.type == "wait_timer":
                wait = rule.wait_timer or 0
            if rule.type == "required_reviewers":
                # a rule githubkit could not read as one with reviewers (an API change) is
                # no rule without them: a PUT planned from that would remove them
                if not hasattr(rule, "reviewers"):
                    raise ServiceError(
                        f"cannot read the reviewers of environment {name} in GitHub's answer",
                        hint="change the environment by hand in the repository's settings, "
                        "or update tagship",
                    )
                for item in rule.reviewers or ():
                    who = item.reviewer
                    label = getattr(who, "login", None) or getattr(who, "slug", "")
                    reviewers.append(Reviewer(str(item.type), int(who.id), str(label)))
        self_review = any(
            getattr(rule, "prevent_self_review", False) is True
            for rule in env.protection_rules or ()
        )
        policy = env.deployment_branch_policy
        refs = None
        if policy is not None:
            refs = "custom" if policy.custom_branch_policies else "protected"
        patterns = self._patterns(name) if refs == "custom" else ()
        return EnvironmentState(name, wait, self_review, tuple(reviewers), refs, patterns)

    def _patterns(self, environment: str) -> tuple[tuple[str, str], ...]:
        answer: Any = self._call(
            f"listing the deployment branch policies of environment {environment}",
            "actions: read",
            lambda: (
                self._gh.rest.repos.list_deployment_branch_policies(
                    self.owner, self.repo, environment, per_page=_PER_PAGE
                ).parsed_data
            ),
        )
        return tuple(
            (str(p.type or "branch"), str(p.name)) for p in answer.branch_policies if p.name
        )

    def labels(self) -> dict[str, LabelState]:
        rest = self._gh.rest
        raw: list[Any] = self._all(
            "listing labels",
            "issues: read",
            lambda: list(
                rest.paginate(
                    rest.issues.list_labels_for_repo,
                    owner=self.owner,
                    repo=self.repo,
                    per_page=_PER_PAGE,
                )
            ),
        )
        return {
            label.name: LabelState(label.name, label.color.lower(), label.description or "")
            for label in raw
        }

    def own_ruleset(self, name: str) -> RulesetState | None:
        """The repository's ruleset called `name` (the one setup made), with its checks."""
        listed: Any = self._call(
            "listing rulesets",
            "administration: read",
            lambda: self._gh.request(
                "GET", f"{self._repo}/rulesets", params={"per_page": _PER_PAGE}
            ).json(),
        )
        found = (
            next(
                (r for r in listed if isinstance(r, dict) and r.get("name") == name),
                None,
            )
            if isinstance(listed, list)
            else None
        )
        if found is None or not isinstance(found.get("id"), int):
            return None
        ruleset_id = found["id"]
        full: Any = self._call(
            f"reading ruleset {name}",
            "administration: read",
            lambda: self._gh.request("GET", f"{self._repo}/rulesets/{ruleset_id}").json(),
        )
        full = full if isinstance(full, dict) else {}
        rules = full.get("rules")
        conditions = full.get("conditions")
        ref_name = conditions.get("ref_name") if isinstance(conditions, dict) else None
        include = ref_name.get("include") if isinstance(ref_name, dict) else None
        return RulesetState(
            ruleset_id,
            str(full.get("enforcement", "")),
            tuple(str(ref) for ref in include or () if isinstance(ref, str)),
            tuple(r for r in rules or () if isinstance(r, dict)) if isinstance(rules, list) else (),
        )

    def reviewer(self, who: str | None) -> Reviewer:
        """`who` (a login, or org/team) resolved to GitHub's id; None: the token's user.
        ConfigError when there is no such one, or the token has no user (a GitHub App's)."""
        if who is not None and "/" in who:
            org, slug = who.split("/", 1)
            path, kind = f"/orgs/{quote(org, safe='')}/teams/{quote(slug, safe='')}", "Team"
        else:
            path, kind = (f"/users/{quote(who, safe='')}" if who else "/user"), "User"
        what = f"looking up {kind.lower()} {who}" if who else "reading the token's user"
        # only the id and the name are read: the JSON as sent, not a whole user model
        raw: Any = self._readable(
            what, "members: read", lambda: self._gh.request("GET", path).json()
        )
        if isinstance(raw, Denied):
            if who is None:  # a GitHub App's token (the workflow's GITHUB_TOKEN) has no user
                raise ConfigError(
                    "cannot tell who approves releases to the production index: GitHub does "
                    f"not show the token's user ({raw.message})",
                    hint="pass --reviewer LOGIN or --reviewer ORG/TEAM",
                )
            raise ServiceError(raw.message, hint=raw.hint)
        if raw is None:
            raise ConfigError(
                f"--reviewer {who}: GitHub knows no such {kind.lower()}",
                hint="give a GitHub login, or ORG/TEAM with the team's slug",
            )
        ident = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(ident, int) or isinstance(ident, bool):
            raise ServiceError(
                f"GitHub's answer while {what} has no id",
                hint="is GITHUB_API_URL a GitHub REST API?",
            )
        name = who if kind == "Team" else str(raw.get("login") or who)
        return Reviewer(kind, ident, str(name))

    def send(self, change: Change) -> None:
        """Make one change; ServiceError (naming the permission) when GitHub refuses."""
        self._call(
            change.what,
            change.permission,
            lambda: self._gh.request(change.method, change.path, json=dict(change.body)),
        )


def refused(done: list[Change], error: ServiceError) -> ServiceError:
    """The error of a change GitHub refused, saying which changes were made before it."""
    before = "; ".join(c.what for c in done) if done else "nothing"
    return ServiceError(f"{error.message} (made before it: {before})", hint=error.hint)
