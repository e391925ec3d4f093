"""Bump the version where it lives, keeping every other byte of the file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.files import write_atomic
from tagship.adapters.project_files import read_exact
from tagship.core.errors import GateError
from tagship.core.version_source import rewrite, writable_path
from tagship.core.versions import next_version

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.workspace import Workspace


@dataclass(frozen=True)
class BumpResult:
    old: str
    new: str
    path: Path
    where: str
    written: bool
    commit: str | None


def bump_version(workspace: Workspace, spec: str, *, commit: bool, dry_run: bool) -> BumpResult:
    """Rewrite the version to `spec` (a bump part or X.Y.Z); optionally commit the file."""
    source = workspace.meta.source
    current = workspace.version()
    new = next_version(current, spec)
    path = writable_path(source)
    # read again, exactly: the rewrite keeps every other byte of the file as it is now
    updated = rewrite(source, read_exact(path), str(new))
    if dry_run:
        return BumpResult(str(current), str(new), path, source.where, written=False, commit=None)
    git = workspace.require_git() if commit else None
    if git is not None:
        git.require_branch()  # a commit on a detached HEAD is easily lost
        relative = path.resolve().relative_to(git.root.resolve()).as_posix()
        if relative in git.dirty_files():
            raise GateError(
                f"{relative} has uncommitted changes; --commit would sweep them in",
                hint="commit or stash them first, or bump without --commit",
            )
    write_atomic(path, updated)
    workspace.version_rewritten(new)
    sha = git.commit_paths([path], f"Bump version to {new}") if git is not None else None
    return BumpResult(str(current), str(new), path, source.where, written=True, commit=sha)
