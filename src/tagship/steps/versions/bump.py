"""Bump the version in every file that carries it, keeping every other byte of each file.

All new texts are computed first (steps/versions/version_files.py); then they are written, and when
`uv.lock` changed uv checks it offline, and with --commit git commits them. A failure at any
point (a commit refused by a hook included) puts back every file already written and the git
index: a bump changes all of its files or none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Literal

from tagship.adapters.build.builder import find_uv
from tagship.adapters.files import write_atomic
from tagship.core.errors import GateError, ServiceError
from tagship.core.versions import next_version
from tagship.steps.versions.changelog import (
    ChangelogResult,
    Tool,
    apply_tool,
    fragment_tool,
    plan_changelog,
    run_tool,
)
from tagship.steps.versions.version_copies import VersionCopy, unchanged_copies
from tagship.steps.versions.version_files import LOCK, FileEdit, find_lock, plan_edits

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from packaging.version import Version

    from tagship.adapters.git import Git
    from tagship.core.notes import ReleaseNotes
    from tagship.workspace import Workspace


@dataclass(frozen=True)
class BumpResult:
    old: str
    new: str
    path: Path
    where: str
    written: bool = False
    commit: str | None = None
    edits: tuple[FileEdit, ...] = ()
    # what bump could not prove, e.g. that uv accepts the edited lock
    notes: tuple[str, ...] = ()
    changelog: ChangelogResult | None = None
    # lines that still hold the old version in files bump does not change
    copies: tuple[VersionCopy, ...] = ()


def _lock_check(workspace: Workspace, lock: Path) -> str | None:
    """Why `uv lock --check` fails for `lock` as it is now; None when it passes. Offline: a
    bump never reaches an index."""
    uv = find_uv(workspace.env)
    if uv is None:
        return "uv is not installed"
    argv = [str(uv), "lock", "--check", "--offline", "--no-python-downloads"]
    # in the lock's directory: a uv workspace's root, for a member
    done = workspace.runner(argv, cwd=lock.parent, env=workspace.env)
    return None if done.ok else done.reason() or f"exit {done.returncode}"


def _refuse_dirty(git: Git, paths: Sequence[Path]) -> None:
    dirty = set(git.dirty_files())
    for relative in _relative(git, paths):
        if relative in dirty:
            raise GateError(
                f"{relative} has uncommitted changes; --commit would sweep them in",
                hint="commit or stash them first, or bump without --commit",
            )


def _relative(git: Git, paths: Sequence[Path]) -> list[str]:
    return [p.resolve().relative_to(git.root.resolve()).as_posix() for p in paths]


def _commit(git: Git, edited: Sequence[Path], made: Sequence[Path], message: str) -> str:
    """Commit the edited files and those the fragment tool changed (`made`); when git refuses
    (a pre-commit hook, a signing failure), put the index back as it was (every path was clean:
    its entry was HEAD's) and what the tool changed back to HEAD, then raise. The caller puts
    the edited files' own bytes back."""
    try:
        return git.commit_paths([*edited, *made], message)
    except ServiceError as exc:
        reason = exc.message.rpartition(" failed: ")[2] or exc.message
        # the index and the tool's files back to HEAD's (history is never touched)
        git.unstage(_relative(git, edited))
        for path, relative in zip(made, _relative(git, made), strict=True):
            git.restore_from_head(relative)
            if git.ref_sha(f"HEAD:{relative}") is None:
                path.unlink(missing_ok=True)  # the tool created it
        raise ServiceError(
            f"git commit of the bump failed: {reason}; every file was put back",
            hint="fix what refused the commit (a pre-commit hook?) and bump again, or bump "
            "without --commit and commit yourself",
        ) from None


def write_all(edits: Sequence[FileEdit], verify: Callable[[], None] = lambda: None) -> None:
    """Write every edit, then `verify`; any failure restores the files already written."""
    written: list[FileEdit] = []
    try:
        for edit in edits:
            write_atomic(edit.path, edit.after)
            written.append(edit)
        verify()
    except BaseException:
        for edit in reversed(written):
            write_atomic(edit.path, edit.before)
        raise


def _changelog(
    workspace: Workspace, notes: Callable[[], ReleaseNotes], new: Version, today: date
) -> tuple[ChangelogResult, Tool | None, FileEdit | None]:
    """The changelog's part of the bump, planned before anything is written: the section as
    one more edit, or the fragment tool, checked with a draft run."""
    tool = fragment_tool(workspace)
    if tool is not None:
        run_tool(workspace, tool, new, draft=True)
        return ChangelogResult(str(new), None, tool), tool, None
    plan = plan_changelog(workspace, notes(), new, today)
    action: Literal["inserted", "dated", "present"] = (
        "present" if plan.edit is None else "dated" if plan.dated else "inserted"
    )
    return ChangelogResult(str(new), plan.path, action), None, plan.edit


def bump_version(
    workspace: Workspace,
    spec: str,
    *,
    commit: bool,
    dry_run: bool,
    notes: Callable[[], ReleaseNotes] | None = None,
    today: date | None = None,
    refuse_taken: Callable[[Version], None] = lambda _: None,
) -> BumpResult:
    """Rewrite the version to `spec` (a bump part or X.Y.Z) wherever it is; optionally commit
    the files. With `notes` (and `today`), the changelog gets the release's section too;
    `refuse_taken` raises for a new version already released (before anything is planned)."""
    source = workspace.meta.source
    current = workspace.version()
    new = next_version(current, spec)
    edits = plan_edits(workspace, current, new)
    refuse_taken(new)
    path = edits[0].path
    changelog, tool = None, None
    if notes is not None:
        changelog, tool, section = _changelog(
            workspace, notes, new, today or datetime.now(timezone.utc).date()
        )
        edits += (section,) if section is not None else ()
    result = BumpResult(
        str(current),
        str(new),
        path,
        source.where,
        edits=edits,
        changelog=changelog,
        copies=unchanged_copies(workspace, current, edits),
    )
    if dry_run:
        return result
    git = workspace.require_git() if commit else None
    if git is not None:
        git.require_branch()  # a commit on a detached HEAD is easily lost
        _refuse_dirty(git, [e.path for e in edits])
    notes_said: list[str] = []
    lock = find_lock(workspace)
    lock_edited = lock is not None and any(e.path == lock for e in edits)
    before = _lock_check(workspace, lock) if lock is not None and lock_edited else None
    if before is not None:
        notes_said.append(f"{LOCK} edited but not checked by uv ({before}, before the bump too)")
    sha = None

    def verify() -> None:
        nonlocal changelog, sha
        if lock is not None and lock_edited and before is None:
            after = _lock_check(workspace, lock)
            if after is not None:
                raise GateError(
                    f"uv lock --check refuses the edited {LOCK}: {after}; no file was changed",
                    hint=f"run uv lock, commit {LOCK}, then bump again",
                )
        if tool is not None:  # the fragment tool's own writes are put back from git only
            changelog = apply_tool(workspace, tool, new)
        if git is not None:  # last: a refused commit puts every file back
            made = changelog.changed if changelog else ()
            sha = _commit(git, [e.path for e in edits], made, f"Bump version to {new}")

    write_all(edits, verify)
    workspace.version_rewritten(new)
    return replace(result, written=True, commit=sha, notes=tuple(notes_said), changelog=changelog)
