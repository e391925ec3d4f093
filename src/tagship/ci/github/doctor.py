"""`tagship doctor` with a GitHub token: the settings the release policy needs on GitHub.

The environments the publishing jobs name exist, a production one (`pypi`) makes a person
approve each release, and branch protection on the release branch requires every check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.ci.github.policy import Finding, publishers
from tagship.ci.github.settings import Denied, RepoSettings
from tagship.core.infer_checks import github_check_names

if TYPE_CHECKING:
    from tagship.workspace import Workspace

NAME = "GitHub settings"
NO_TOKEN = "no GITHUB_TOKEN or GH_TOKEN"  # noqa: S105 - a note, not a secret
NO_REPO = "cannot tell which GitHub repository this is"


def skipped_because(workspace: Workspace) -> str | None:
    """Why the GitHub checks cannot run here, or None when they can."""
    config = workspace.config
    if workspace.ci.token is None:
        return NO_TOKEN
    if not config.github_owner or not config.github_repository:
        return NO_REPO
    return None


def github_findings(workspace: Workspace) -> list[Finding]:
    """Findings over the repository's environments and branch protection (needs a token)."""
    config = workspace.config
    client = RepoSettings.from_run(
        workspace.ci,
        config,
        command="doctor",
        permission="actions: read (environments), administration: read (branch protection)",
    )
    where = f"github:{client.full_name}"
    settings = f"{workspace.ci.server_url}/{client.full_name}/settings"
    found: list[Finding] = []

    environments = client.environments()
    if isinstance(environments, Denied):
        found.append(_denied(where, environments))
    else:
        by_name = {e.name: e for e in environments}
        for publisher in publishers(config, workspace.name):
            name = publisher.environment
            if not name:
                continue
            environment = by_name.get(name)
            if environment is None:
                found.append(
                    Finding(
                        "github-environment-missing",
                        where,
                        0,
                        f"environment {name} does not exist, but the {publisher.index} publish "
                        f"job in {publisher.workflow} runs in it",
                        f"create environment {name} at {settings}/environments/new"
                        + (" with required reviewers" if publisher.on_tag else ""),
                    )
                )
            elif publisher.on_tag and not environment.required_reviewers:
                found.append(
                    Finding(
                        "github-environment-reviewers",
                        where,
                        0,
                        f"environment {name} has no required reviewers: a pushed tag publishes "
                        f"to {publisher.index} with nobody approving it",
                        f"at {settings}/environments open {name}, tick `Required reviewers` "
                        "and add the maintainers",
                    )
                )

    branch = config.release_branch
    wanted = github_check_names(config.required_checks, workspace.package_of_several)
    found.extend(_branch_checks(client, branch, wanted, where, settings))
    return found


def _branch_checks(
    client: RepoSettings, branch: str, wanted: list[str], where: str, settings: str
) -> list[Finding]:
    """The checks `branch` must require and does not, by classic protection or a ruleset
    (`tagship setup github` makes a ruleset); rulesets are read only when protection falls
    short."""
    required = client.required_status_checks(branch)
    have = set(required) if isinstance(required, tuple) else set()
    if any(check not in have for check in wanted):
        by_rules = client.ruleset_checks(branch)
        have |= set(by_rules) if isinstance(by_rules, tuple) else set()
        if isinstance(by_rules, Denied) and not isinstance(required, Denied):
            return [_denied(where, by_rules)]
    missing = [check for check in wanted if check not in have]
    if not missing:
        return []
    if isinstance(required, Denied):
        return [_denied(where, required)]
    if not have:
        return [
            Finding(
                "branch-protection-checks",
                where,
                0,
                f"branch {branch} is not protected (or requires no status checks): pull "
                f"requests merge without {', '.join(wanted)}",
                f"at {settings}/branches add a protection rule for {branch} that requires "
                f"status checks to pass: {', '.join(wanted)} (or run `tagship setup github`)",
            )
        ]
    return [
        Finding(
            "branch-protection-checks",
            where,
            0,
            f"branch protection on {branch} does not require {', '.join(missing)}",
            f"at {settings}/branches edit the rule for {branch} and add the required "
            f"status checks {', '.join(missing)} (or run `tagship setup github`)",
        )
    ]


def _denied(where: str, denied: Denied) -> Finding:
    # a token that may not read a setting is not a clean bill: say which permission is missing
    return Finding("github-permission", where, 0, denied.message, denied.hint)
