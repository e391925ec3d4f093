"""Where the project stands: version, expected tag, branch, tree, last release."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from tagship.core.errors import ServiceError
from tagship.core.versions import heading_for, tag_for
from tagship.steps.last_release import last_release

if TYPE_CHECKING:
    from tagship.adapters.git import Git
    from tagship.workspace import Workspace


@dataclass(frozen=True)
class Status:
    """A snapshot of the project relative to its release policy."""

    project: str
    version: str
    version_source: str
    expected_tag: str
    tag_local: bool
    tag_remote: bool | None  # None: no origin remote, or it could not be reached
    remote_problem: str | None  # why origin could not be asked
    branch: str | None
    clean: bool
    dirty_files: tuple[str, ...]
    last_release_tag: str | None
    commits_since_release: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _on_origin(git: Git, origin: str | None, tag: str) -> tuple[bool | None, str | None]:
    """Whether origin has the tag; a status report degrades, not fails, when it is offline."""
    if origin is None:
        return None, "no origin remote"
    try:
        return tag in git.remote_tags(), None
    except ServiceError as exc:
        return None, exc.message


def project_status(workspace: Workspace) -> Status:
    git = workspace.require_git()
    git.head_sha()  # a repository without commits fails here, with a clear message
    version = workspace.version()
    # a development version is heading for its release: that is the tag to expect, not a
    # .dev one nobody would push
    tag = tag_for(heading_for(version), workspace.config.tag_format)
    tag_remote, remote_problem = _on_origin(git, workspace.origin_url, tag)
    last = last_release(workspace)
    dirty = tuple(git.dirty_files())
    return Status(
        project=workspace.name,
        version=str(version),
        version_source=workspace.meta.source.where,
        expected_tag=tag,
        tag_local=git.tag_target(tag) is not None,
        tag_remote=tag_remote,
        remote_problem=remote_problem,
        branch=git.current_branch(),
        clean=not dirty,
        dirty_files=dirty,
        last_release_tag=last,
        commits_since_release=git.count_commits(last, paths=workspace.pathspecs),
    )
