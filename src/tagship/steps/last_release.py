"""The last release before a commit: the newest release in its history, not the highest
version ever tagged (a repository that tagged 1.0.0.beta0 once and went back to 0.x, as
httpx did, has 0.28.1 as its last release)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.core.versions import tag_glob, try_version_from_tag

if TYPE_CHECKING:
    from tagship.workspace import Workspace


def last_release(workspace: Workspace, until: str = "HEAD") -> str | None:
    """The release tag in `until`'s history that no later release tag there follows (of
    two on lines merged together, the higher version)."""
    released = workspace.release_tags(merged_into=until)
    if not released:
        return None
    git = workspace.require_git()
    tag_format = workspace.config.tag_format
    best = released[-1][1]
    while True:  # each round moves to later commits: it ends
        commit = git.tag_target(best) or best
        later = [
            (version, tag)
            for tag in git.tags_after(commit, tag_glob(tag_format), until)
            if (version := try_version_from_tag(tag, tag_format)) is not None
        ]
        if not later:
            return best
        best = max(later)[1]
