"""Rollback option 1: revert merged changes on the release branch as one new commit, so CI
redeploys from it. History is never rewritten: a failed revert leaves HEAD, index and tree
exactly as they were."""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.ledger_store import append_event
from tagship.core.errors import GateError, UsageError
from tagship.core.ledger import Event
from tagship.steps.rollback.common import recordable

if TYPE_CHECKING:
    from tagship.adapters.git import Git
    from tagship.core.ledger import Record
    from tagship.workspace import Workspace

EVENT = "rollback-revert"


@dataclass(frozen=True)
class Reverted:
    branch: str
    reverted: tuple[str, ...]  # the commits undone, newest first
    commit: str  # the new revert commit
    pushed: bool
    record: Record


def _release_branch(workspace: Workspace, git: Git) -> str:
    branch = git.require_branch()
    config = workspace.config
    if branch != config.release_branch and not fnmatch.fnmatchcase(branch, config.hotfix_branches):
        raise GateError(
            f"on branch {branch}; revert on the release branch {config.release_branch} "
            f"or a hotfix branch ({config.hotfix_branches})",
            hint=f"git switch {config.release_branch}",
        )
    dirty = git.dirty_files(untracked=False)  # the revert and its undo leave those alone
    if dirty:
        raise GateError(
            f"the work tree has uncommitted changes ({', '.join(dirty[:3])})",
            hint="commit or stash them first: a revert must start from a clean tree",
        )
    return branch


def _commits(git: Git, refs: list[str], branch: str) -> list[str]:
    shas = []
    merges = f"name merge commits of {branch}: git log --merges --oneline {branch}"
    for ref in refs:
        sha = git.commit_of(ref)
        if sha is None:
            raise UsageError(f"{ref!r} names no commit here", hint="git fetch, or fix the ref")
        if not git.is_ancestor(sha, "HEAD"):
            raise UsageError(
                f"commit {sha[:12]} ({ref}) is not on {branch}",
                hint=merges,
            )
        if git.parent_count(sha) == 0:
            raise UsageError(
                f"commit {sha[:12]} ({ref}) is a root commit (it has no parent): its revert "
                "deletes every file it added, which is no rollback",
                hint=merges,
            )
        if sha not in shas:
            shas.append(sha)

    # newest first, descendants before ancestors: each revert then meets the newest code
    def order(a: str, b: str) -> int:
        if git.is_ancestor(a, b):
            return 1
        return -1 if git.is_ancestor(b, a) else 0

    return sorted(git.by_date(shas), key=functools.cmp_to_key(order))


def _message(git: Git, shas: list[str]) -> str:
    subjects = [git.message(sha).split("\n", 1)[0] for sha in shas]
    head = f'Revert "{subjects[0]}"' if len(shas) == 1 else f"Revert {len(shas)} changes"
    lines = [f"This reverts commit {sha} ({s})." for sha, s in zip(shas, subjects, strict=True)]
    return head + "\n\n" + "\n".join(lines) + "\n"


def revert(workspace: Workspace, refs: list[str], *, push: bool, version: str | None) -> Reverted:
    """Revert `refs` (merge commits against their first parent) on the current release
    branch in one new commit; with `push`, push the branch (never forced)."""
    git = recordable(workspace)
    branch = _release_branch(workspace, git)
    shas = _commits(git, refs, branch)
    for sha in shas:
        mainline = 1 if git.parent_count(sha) > 1 else None
        reason = git.revert_into_index(sha, mainline=mainline)
        if reason is not None:
            git.discard_changes()
            raise GateError(
                f"reverting {sha[:12]} conflicts with later changes on {branch}; "
                "nothing was changed",
                hint=f"revert by hand (git revert -m 1 {sha[:12]}) and resolve the conflicts, "
                "or patch forward with tagship rollback patch",
            )
    if not git.has_staged_changes():
        git.discard_changes()
        raise GateError(
            f"reverting {', '.join(s[:12] for s in shas)} changes nothing; already reverted?",
            hint=f"git log --oneline {branch}",
        )
    commit = git.commit_staged(_message(git, shas))
    if push:
        git.push_branch(branch)
    event = Event(
        kind=EVENT,
        project=workspace.name,
        version=version or _bad_version(workspace),
        commit=commit,
        details={
            "branch": branch,
            "reverted": " ".join(shas),
            "pushed": "true" if push else "false",
        },
    )
    record = append_event(git, event, workspace.env)
    return Reverted(branch, tuple(shas), commit, push, record)


def _bad_version(workspace: Workspace) -> str:
    """The release being rolled back by default: the newest release tag on this branch."""
    tags = workspace.release_tags(merged_into="HEAD")
    return str(tags[-1][0]) if tags else str(workspace.version())
