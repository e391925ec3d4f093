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

from tagship.core.packages import touches

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from tagship.adapters.git import Git
    from tagship.core.ci_run import CIRun
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


def _field(payload: Mapping[str, Any], *keys: str) -> str | None:
    """payload[k1][k2]... when every level is a mapping and the end a non-empty string."""
    found: Any = payload
    for key in keys:
        found = found.get(key) if isinstance(found, dict) else None
    return found if isinstance(found, str) and found else None


def base_of_event(
    event: Mapping[str, Any] | None, ci: CIRun, config: Config
) -> tuple[str | None, str]:
    """The commit a GitHub Actions event's change is measured from (None: check every
    package), and why."""
    name = ci.event
    payload = event or {}
    if name in ("pull_request", "pull_request_target"):
        base = _field(payload, "pull_request", "base", "sha")
        return (base, "the pull request's base") if base else (None, "no base in the event")
    if name == "merge_group":
        base = _field(payload, "merge_group", "base_sha")
        return (base, "the merge group's base") if base else (None, "no base in the event")
    if name == "push":
        branch = ci.ref_name
        releasing = (config.release_branch, config.hotfix_branches)
        if ci.ref_type == "branch" and any(fnmatchcase(branch, pattern) for pattern in releasing):
            return None, f"{branch} is a release branch: every package is checked"
        before = _field(payload, "before")
        if before and before != _NO_COMMIT:
            return before, "the commit before the push"
        return None, "a new branch: every package is checked"
    return None, f"a {name or 'local'} run: every package is checked"


@dataclass(frozen=True)
class Ownership:
    """What makes a file a package's: its directory (less the packages nested in it), the
    files it declares, and the packages that depend on it (their checks test it too)."""

    declared: Mapping[str, tuple[Path, ...]]
    dependents: Mapping[str, tuple[str, ...]]


def changed_packages(
    packages: Packages, git: Git, base: str | None, why: str, owners: Ownership
) -> Changed:
    """The packages whose files differ between `base` and HEAD, with the packages that
    depend on them; every package without a base, when the base is not in the history, or
    when a file no package owns changed (shared configuration: the root's ruff.toml)."""
    if base is None:
        return Changed(packages.names, why)
    # an option-like base would be read by git as an option: it names no commit
    known = None if base.startswith("-") else git.commit_of(base)
    if known is None:
        return Changed(packages.names, f"{base[:12]} is not in the history: every package")
    files = git.changed_between(known)
    top = git.root.resolve()

    def relative(directory: Path) -> str:
        return directory.resolve().relative_to(top).as_posix()

    owned: dict[str, list[str]] = {}
    for package in packages.members:
        # a package's directory less the packages nested in it (a root package's members)
        nested = [
            relative(other.directory)
            for other in packages.members
            if package.directory in other.directory.parents
        ]
        own = [relative(package.directory), *map(relative, owners.declared.get(package.name, ()))]
        owned[package.name] = [f for f in files if touches([f], own, nested)]
    shared = [f for f in files if touches([f], SHARED)]
    shared += [f for f in files if not any(f in mine for mine in owned.values())]
    if shared:
        return Changed(packages.names, f"{shared[0]} is no one package's: every package")
    found = {name for name, mine in owned.items() if mine}
    for name in list(found):
        found.update(owners.dependents.get(name, ()))
    names = tuple(n for n in packages.names if n in found)
    return Changed(names, f"changed since {why} ({base[:12]}): {len(files)} files")
