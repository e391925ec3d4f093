"""Hotfixes, narrow and traceable: a patch branch from a released tag, its patch bump, and a
record of which release it fixes. `hotfix_finish` checks the way back to main."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.ledger_store import append_event
from tagship.core.errors import GateError, TagshipError, UsageError
from tagship.core.ledger import Event
from tagship.core.versions import bump, tag_for, version_from_tag
from tagship.steps.rollback.common import recordable
from tagship.steps.versions.bump import bump_version

if TYPE_CHECKING:
    from collections.abc import Callable

    from packaging.version import Version

    from tagship.adapters.git import Git
    from tagship.core.config import Config
    from tagship.core.ledger import Record
    from tagship.workspace import Workspace

EVENT = "hotfix"


@dataclass(frozen=True)
class HotfixStarted:
    fixes: str  # the tag of the release it fixes
    branch: str
    version: str  # the patch version on the branch
    tag: str  # the tag that will release it
    bump_commit: str | None  # None when the version comes from git tags
    newer: str | None  # a newer release line's tag: then this patch is never "latest"
    record: Record


def hotfix_branch(config: Config, version: Version, package: str | None = None) -> str:
    """`hotfix/1.2.4` (`hotfix/ws-core-1.2.4` for a package of several: each package has its
    own patch lines), following the configured hotfix-branches glob when it has one `*`."""
    pattern = config.hotfix_branches
    name = f"{package}-{version}" if package else str(version)
    return pattern.replace("*", name) if pattern.count("*") == 1 else f"hotfix/{name}"


def released_version(workspace: Workspace, git: Git, tag: str) -> Version:
    """The final release `tag` names; UsageError when it is not one."""
    version = version_from_tag(tag, workspace.config.tag_format)
    if git.tag_target(tag) is None:
        known = [t for _, t in workspace.release_tags()][-3:]
        raise UsageError(
            f"tag {tag} does not exist here",
            hint=f"git fetch --tags; recent release tags: {', '.join(known) or 'none'}",
        )
    if version.is_prerelease or version.is_devrelease or version.local is not None:
        raise UsageError(
            f"{tag} is not a final release; hotfixes patch final releases",
            hint="fix forward on main and release the next candidate",
        )
    return version


def _newer_line(workspace: Workspace, version: Version) -> str | None:
    for other, tag in reversed(workspace.release_tags()):
        if not other.is_prerelease and other.release[:2] > version.release[:2]:
            return tag
    return None


def _undone(
    error: BaseException, git: Git, branch: str, back: str | None, head: str
) -> TagshipError | None:
    """Undo a start that failed once `git switch --create` ran; the error to raise instead of
    `error`, saying what failed and what was undone, with `error`'s exit code (None: raise
    `error` itself, which is no TagshipError)."""
    made = git.branch_exists(branch)  # it did not exist before: this start made it
    where = back or head[:12]
    failed = error.message if isinstance(error, TagshipError) else repr(error)
    try:
        git.abandon_branch(back, head, branch if made else None)
    except TagshipError as undo:
        by_hand = f"git switch {where}" + (f"; git branch -D {branch}" if made else "")
        return TagshipError(
            f"hotfix start failed ({failed}) and undoing it failed too: {undo.message}",
            hint=f"put it back by hand: {by_hand}",
            exit_code=error.exit_code if isinstance(error, TagshipError) else undo.exit_code,
        )
    if not isinstance(error, TagshipError):
        return None
    done = f"{branch} deleted" if made else "no branch was made"
    return TagshipError(
        f"hotfix start undone (back on {where}, {done}): {failed}",
        hint=error.hint or "fix what failed, then rerun tagship hotfix start",
        exit_code=error.exit_code,
    )


def start_hotfix(open_workspace: Callable[[], Workspace], tag: str) -> HotfixStarted:
    """Create the hotfix branch of `tag`, bump its patch version and record it.

    `open_workspace` is called again on the new branch: the project as released may differ
    from the checked-out one. On any failure the branch is removed and HEAD restored."""
    workspace = open_workspace()
    git = recordable(workspace)
    version = released_version(workspace, git, tag)
    new = bump(version, "patch")
    new_tag = tag_for(new, workspace.config.tag_format)
    if git.tag_target(new_tag) is not None:
        raise GateError(
            f"{new_tag} already exists: the {version.major}.{version.minor} line has moved on",
            hint="hotfix the newest release of the line (tagship rollback plan lists it)",
        )
    branch = hotfix_branch(workspace.config, new, workspace.package_of_several)
    on_origin = git.remote_url() is not None and bool(git.remote_ref_sha(f"refs/heads/{branch}"))
    if git.branch_exists(branch) or on_origin:
        where = "on origin" if on_origin else "locally"
        raise GateError(
            f"branch {branch} already exists {where}",
            hint=f"continue on it (git switch {branch}), or delete it if it is abandoned",
        )
    dirty = git.dirty_files()
    if dirty:
        raise GateError(
            f"the work tree has uncommitted changes ({', '.join(dirty[:3])})",
            hint="commit or stash them first: hotfix start switches branches",
        )
    back = git.current_branch()
    head = git.head_sha()
    try:
        git.create_branch(branch, tag)  # a post-checkout hook may fail it once it is made
        patched = open_workspace()
        commit = None
        if patched.meta.source.kind != "scm":
            commit = bump_version(patched, str(new), commit=True, dry_run=False).commit
        event = Event(
            kind=EVENT,
            project=patched.name,
            version=str(new),
            tag=new_tag,
            commit=commit,
            details={
                "action": "start",
                "fixes": tag,
                "fixes_version": str(version),
                "branch": branch,
            },
        )
        record = append_event(git, event, patched.env)
    except BaseException as error:
        undone = _undone(error, git, branch, back, head)
        if undone is None:
            raise
        raise undone from error
    return HotfixStarted(
        tag, branch, str(new), new_tag, commit, _newer_line(workspace, new), record
    )
