"""Which packages of a repository a change touched: the matrix of the CI checks.

A pull request (or a merge-queue group) touches the packages whose directories hold a file it
changes, against its base; a push to a branch other than the release branches, the files since
the commit before it. On the release branch, and on hotfix branches, every package is checked:
a release needs its checks on the commit it tags; so it is when a change touches what they all
share (the root pyproject.toml and uv.lock, the workflows). When the base is unknown or not in the
history (a first push, a shallow checkout), every package is, too: a check that cannot tell
what changed runs everything rather than nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from tagship.core.errors import ServiceError
from tagship.core.packages import touches

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from tagship.adapters.git import Git
    from tagship.core.config import Config
    from tagship.core.packages import Packages

_NO_COMMIT = "0" * 40
# what every package's checks depend on: the shared policy and lock, and the workflows
SHARED = ("pyproject.toml", "uv.lock", ".github")


@dataclass(frozen=True)
class Changed:
    """The packages to check, and why these."""

    names: tuple[str, ...]
    reason: str


def base_of_event(
    event: Mapping[str, Any] | None, env: Mapping[str, str], config: Config
) -> tuple[str | None, str]:
    """The commit a GitHub Actions event's change is measured from (None: check every
    package), and why."""
    name = env.get("GITHUB_EVENT_NAME", "")
    payload = event or {}
    if name in ("pull_request", "pull_request_target"):
        base = payload.get("pull_request", {}).get("base", {}).get("sha")
        return (str(base), "the pull request's base") if base else (None, "no base in the event")
    if name == "merge_group":
        base = payload.get("merge_group", {}).get("base_sha")
        return (str(base), "the merge group's base") if base else (None, "no base in the event")
    if name == "push":
        branch = env.get("GITHUB_REF_NAME", "")
        releasing = (config.release_branch, config.hotfix_branches)
        if env.get("GITHUB_REF_TYPE") == "branch" and any(
            fnmatchcase(branch, pattern) for pattern in releasing
        ):
            return None, f"{branch} is a release branch: every package is checked"
        before = payload.get("before")
        if before and before != _NO_COMMIT:
            return str(before), "the commit before the push"
        return None, "a new branch: every package is checked"
    return None, f"a {name or 'local'} run: every package is checked"


def changed_packages(
    packages: Packages,
    git: Git,
    base: str | None,
    why: str,
    declared: Mapping[str, tuple[Path, ...]],
) -> Changed:
    """The packages whose files (their directory, and what each `declared` its own) differ
    between `base` and HEAD (every package without a base)."""
    if base is None:
        return Changed(packages.names, why)
    try:
        files = git.changed_between(base)
    except ServiceError:
        return Changed(packages.names, f"{base[:12]} is not in the history: every package")
    top = git.root.resolve()
    shared = [f for f in files if touches([f], SHARED)]
    if shared:
        return Changed(packages.names, f"{shared[0]} changed: every package")

    def relative(directory: Path) -> str:
        return directory.resolve().relative_to(top).as_posix()

    found = []
    for package in packages.members:
        # a package's directory less the packages nested in it (a root package's members)
        nested = [
            relative(p.directory)
            for p in packages.members
            if package.directory in p.directory.parents
        ]
        own = [relative(package.directory), *map(relative, declared.get(package.name, ()))]
        if touches(files, own, nested):
            found.append(package.name)
    return Changed(tuple(found), f"changed since {why} ({base[:12]}): {len(files)} files")
