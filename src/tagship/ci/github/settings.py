"""The repository settings `tagship doctor` reads: environments and branch protection.

Apart from `github.py` because these reads answer differently: a token that may not read a
setting (the workflow GITHUB_TOKEN can never read branch protection) is something doctor
reports as a finding, not a reason to stop checking the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from tagship.ci.github.session import GitHubSession

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")
_FORBIDDEN = 403
_PER_PAGE = 100


@dataclass(frozen=True)
class Environment:
    """A deployment environment and whether a person must approve each job that uses it."""

    name: str
    required_reviewers: bool
    html_url: str


@dataclass(frozen=True)
class Denied:
    """GitHub refused to show a setting: the one-line error it would have been, and its fix."""

    message: str
    hint: str


def checks_of(rules: Any) -> list[str]:
    """The status check names the `required_status_checks` rules of a rule list require."""
    found: list[str] = []
    for rule in rules if isinstance(rules, list) else ():
        if not isinstance(rule, dict) or rule.get("type") != "required_status_checks":
            continue
        parameters = rule.get("parameters")
        checks = parameters.get("required_status_checks") if isinstance(parameters, dict) else ()
        found.extend(
            str(check["context"])
            for check in checks or ()
            if isinstance(check, dict) and "context" in check
        )
    return found


class RepoSettings(GitHubSession):
    """Reads of repository settings; a refusal (403) comes back as `Denied`, not an error."""

    def environments(self) -> list[Environment] | Denied:
        rest = self._gh.rest
        raw = self._readable(
            "listing environments",
            "actions: read",
            lambda: list(
                rest.paginate(
                    rest.repos.get_all_environments,
                    map_func=lambda r: r.parsed_data.environments or [],
                    owner=self.owner,
                    repo=self.repo,
                    per_page=_PER_PAGE,
                )
            ),
        )
        if isinstance(raw, Denied):
            return raw
        return [
            Environment(
                e.name,
                any(rule.type == "required_reviewers" for rule in e.protection_rules or ()),
                e.html_url,
            )
            for e in raw or ()
        ]

    def required_status_checks(self, branch: str) -> tuple[str, ...] | Denied | None:
        """The status checks branch protection requires on `branch`; None when GitHub has no
        protection (or no required checks) for it."""
        policy: Any = self._readable(
            f"reading the branch protection of {branch}",
            "administration: read",
            lambda: (
                self._gh.rest.repos.get_status_checks_protection(
                    self.owner, self.repo, branch
                ).parsed_data
            ),
        )
        if policy is None or isinstance(policy, Denied):
            return policy
        # `contexts` is the older list of names; `checks` names each with its app (or any app)
        names = [*policy.contexts, *(check.context for check in policy.checks)]
        return tuple(dict.fromkeys(names))

    def ruleset_checks(self, branch: str) -> tuple[str, ...] | Denied:
        """The status checks the active rulesets (the repository's and its organisation's)
        require on `branch`: readable with the repository's metadata, unlike protection."""
        rules: Any = self._readable(
            f"reading the rules of branch {branch}",
            "metadata: read",
            lambda: self._gh.request(
                "GET",
                f"/repos/{self.owner}/{self.repo}/rules/branches/{quote(branch, safe='')}",
                params={"per_page": _PER_PAGE},
            ).json(),
        )
        if isinstance(rules, Denied):
            return rules
        return tuple(dict.fromkeys(checks_of(rules)))

    def _readable(self, what: str, permission: str, request: Callable[[], T]) -> T | Denied | None:
        """`request`; None when GitHub says it does not exist; `Denied` when it refuses (403)."""
        from githubkit.exception import RateLimitExceeded, RequestFailed  # noqa: PLC0415

        def guarded() -> T | Denied:
            try:
                return request()
            except RequestFailed as exc:
                if exc.response.status_code != _FORBIDDEN or isinstance(exc, RateLimitExceeded):
                    raise
                error = self._failure(what, permission, exc.response)
                return Denied(error.message, error.hint or "")

        return self._found(what, permission, guarded)
