"""`status` of a repository of several packages: one row per package, and which releases
force others (internal dependencies)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from tagship.core.internal_deps import (
    forced_releases,
    internal_dependencies,
    project_dependencies,
)
from tagship.core.names import normalized_name
from tagship.core.versions import heading_for, tag_for
from tagship.steps.last_release import last_release
from tagship.steps.notes.release_notes import local_notes

if TYPE_CHECKING:
    from collections.abc import Sequence

    from packaging.version import Version

    from tagship.workspace import Workspace


@dataclass(frozen=True)
class PackageRow:
    """Where one package stands: its version, last release, the commits since that changed
    its files, and the version a release would make (None: nothing to release)."""

    package: str
    directory: str
    version: str
    last_release_tag: str | None
    commits_since_release: int
    next_version: str | None
    # "releasing X requires releasing Y (Y pins ...)" lines about this package
    requires: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def next_release(workspace: Workspace) -> tuple[str | None, int, Version | None]:
    """(last release tag, commits since that changed the package, the next version: the
    version itself when its tag does not exist yet, else what the merged labels suggest)."""
    git = workspace.require_git()
    last = last_release(workspace)
    commits = git.count_commits(last, paths=workspace.pathspecs)
    # a development version (1.2.0.dev3, or one from git tags between them) is heading for
    # its release: that is what would be released, never the .dev itself
    heading = heading_for(workspace.version())
    untagged = git.tag_target(tag_for(heading, workspace.config.tag_format)) is None
    if untagged and workspace.meta.source.kind != "scm":
        return last, commits, heading
    if commits == 0:
        return last, commits, None
    return last, commits, local_notes(workspace).next_version or (heading if untagged else None)


def package_rows(workspaces: Sequence[Workspace]) -> tuple[PackageRow, ...]:
    """A row per package, in the order given."""
    facts = {}
    releasing: dict[str, Version] = {}
    for workspace in workspaces:
        last, commits, upcoming = next_release(workspace)
        name = normalized_name(workspace.name)
        facts[name] = (workspace, last, commits, upcoming)
        if upcoming is not None:
            releasing[name] = upcoming
    declared = {name: project_dependencies(ws.pyproject_data) for name, (ws, *_) in facts.items()}
    requires: dict[str, list[str]] = {name: [] for name in facts}
    for dependency, version in forced_releases(internal_dependencies(declared), releasing):
        requires[dependency.dependency].append(
            f"releasing {version} requires releasing {dependency.dependent} "
            f"(it pins {dependency.requirement})"
        )
    root = workspaces[0].require_git().root.resolve() if workspaces else None
    return tuple(
        PackageRow(
            package=name,
            directory=ws.root.resolve().relative_to(root).as_posix() if root else ".",
            version=str(ws.version()),
            last_release_tag=last,
            commits_since_release=commits,
            next_version=None if upcoming is None else str(upcoming),
            requires=tuple(requires[name]),
        )
        for name, (ws, last, commits, upcoming) in facts.items()
    )
