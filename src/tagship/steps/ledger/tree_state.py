"""The state of the work tree a record is made in, which the record carries (`work-tree`:
clean or dirty), and the refusal of an official publish from a dirty one.

Dirty means uncommitted changes to the release (build output and this run's own outbox of
records are not changes), or files whose manifest says they were built from such a tree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.core.errors import GateError
from tagship.core.official import is_official
from tagship.core.replays import CLEAN, DIRTY, WORK_TREE
from tagship.steps.build.artifacts import release_changes

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.core.config import IndexConfig
    from tagship.core.manifest import Manifest
    from tagship.workspace import Workspace

_SHOWN = 3  # changed paths named in a refusal


def _changes(workspace: Workspace, build_dir: Path | None) -> list[str] | None:
    """The work tree's uncommitted changes to the release; None outside git."""
    git = workspace.git
    if git is None:
        return None
    changes = release_changes(git.root, git.dirty_files(), build_dir)
    if workspace.outbox is None:
        return changes
    # the outbox file, or its directory when git reports it untracked as a whole ("outbox/")
    outbox = workspace.outbox.resolve()
    return [
        path
        for path in changes
        if (git.root / path).resolve()
        not in (outbox, outbox.parent if path.endswith("/") else None)
    ]


def _details(changes: list[str] | None, manifest: Manifest | None) -> dict[str, str]:
    if changes is None:
        return {}
    dirty = bool(changes) or (manifest is not None and manifest.dirty)
    return {WORK_TREE: DIRTY if dirty else CLEAN}


def work_tree(
    workspace: Workspace, manifest: Manifest | None = None, build_dir: Path | None = None
) -> dict[str, str]:
    """The record details saying whether the tree (and the manifest's build) was clean;
    none outside git."""
    return _details(_changes(workspace, build_dir), manifest)


def require_clean_for_official(
    workspace: Workspace, manifest: Manifest, index: IndexConfig, build_dir: Path
) -> dict[str, str]:
    """`work_tree` for a publish to `index`; GateError when the index is official and the
    tree or the manifest's build is dirty: the record would name a commit that is not what
    was built. Checked before any token is asked for or byte sent."""
    changes = _changes(workspace, build_dir)
    if is_official(index) and changes:
        shown = ", ".join(changes[:_SHOWN]) + (" ..." if len(changes) > _SHOWN else "")
        raise GateError(
            f"publishing to {index.name} (an official index) from a dirty work tree "
            f"(uncommitted changes: {shown})",
            hint="commit or stash them: an official release is the bytes of a commit",
        )
    if is_official(index) and manifest.dirty:
        raise GateError(
            f"publishing to {index.name} (an official index) files built from a dirty work "
            f"tree (the manifest of {manifest.project} {manifest.version} says so)",
            hint="rebuild from a clean checkout: tagship build --clean",
        )
    return _details(changes, manifest)
