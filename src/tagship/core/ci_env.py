"""What the environment says about where tagship runs, and which GitHub token it may use.

GitHub Actions sets GITHUB_ACTIONS=true in every job: that alone means "running in GitHub
Actions" (workflow commands, OIDC, the job's identity). Other CI services set only CI; for
them tagship only writes plain logs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

# where a GitHub token comes from, in order: the workflow's token, then the gh CLI's variable
GITHUB_TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")


def in_github_actions(env: Mapping[str, str]) -> bool:
    """A GitHub Actions job: official uploads, workflow commands and CI identities."""
    return env.get("GITHUB_ACTIONS") == "true"


def in_ci(env: Mapping[str, str]) -> bool:
    """Any CI service, GitHub Actions included: output goes to a log, not to a person."""
    return in_github_actions(env) or bool(env.get("CI"))


def github_token(env: Mapping[str, str]) -> str | None:
    """The GitHub token tagship uses: GITHUB_TOKEN, else GH_TOKEN; None when neither is set."""
    return next((env[name] for name in GITHUB_TOKEN_VARIABLES if env.get(name)), None)
