"""What GitHub accepts as an owner's and a repository's name: anything else read from a
remote URL (`..`, `%2e%2e`, an encoded `/`, `?` or `#`) would become part of an API path
such as `/repos/{owner}/{repo}/environments` and point it elsewhere."""

from __future__ import annotations

import re

# a user or organisation: letters, digits and single inner hyphens (GitHub's sign-up rule,
# kept loose on the hyphens: older accounts have them doubled or trailing)
_OWNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
# a repository: letters, digits, `.`, `_` and `-`; GitHub refuses `.` and `..`
_REPOSITORY = re.compile(r"[A-Za-z0-9._-]+")


def github_names(owner: str, repository: str) -> bool:
    """Whether `owner`/`repository` can be a GitHub repository's full name."""
    return (
        _OWNER.fullmatch(owner) is not None
        and _REPOSITORY.fullmatch(repository) is not None
        and repository not in (".", "..")
    )
