"""Where the project stands: version, expected tag, branch, tree, last release."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tagship.workspace import Workspace


@dataclass(frozen=True)
class Status:
    """A snapshot of the project relative to its release policy."""

    project: str
    version: str
    version_source: str
    expected_tag: str
    tag_local: bool
    tag_remote: bool | None  # None: no origin remote to ask
    branch: str | None
    clean: bool
    dirty_files: tuple[str, ...]
    last_release_tag: str | None
    commits_since_release: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def project_status(workspace: Workspace) -> Status:
    git = workspace.require_git()
    git.head_sha()  # a repository without commits fails here, with a clear message
    version = workspace.version()
    tag = workspace.expected_tag()
    has_origin = git.remote_url() is not None
    released = workspace.release_tags(merged_into="HEAD")
    last = released[-1][1] if released else None
    dirty = tuple(git.dirty_files())
    return Status(
        project=workspace.name,
        version=str(version),
        version_source=workspace.meta.source.where,
        expected_tag=tag,
        tag_local=git.tag_target(tag) is not None,
        tag_remote=(tag in git.remote_tags()) if has_origin else None,
        branch=git.current_branch(),
        clean=not dirty,
        dirty_files=dirty,
        last_release_tag=last,
        commits_since_release=git.count_commits(last),
    )
