"""Step 8, "update docs links if needed": references to the previous release in the
configured docs files are rewritten to the new one, on a branch of their own."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.files import write_atomic
from tagship.ci.clients import host_client
from tagship.core.versions import version_from_tag
from tagship.steps.notes.release_notes import previous_release_tag

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.adapters.git import Git
    from tagship.workspace import Workspace


@dataclass(frozen=True)
class Rewrite:
    path: Path
    before: str
    after: str


def _replace(text: str, old: str, new: str) -> str:
    # whole references only: 1.2.3 is not inside 11.2.3, 1.2.30 or 1.2.3.post1
    pattern = rf"(?<![\w.-]){re.escape(old)}(?![\w]|\.\d)"
    return re.sub(pattern, new.replace("\\", r"\\"), text)


def plan_rewrites(
    root: Path, globs: tuple[str, ...], old: tuple[str, str], new: tuple[str, str]
) -> list[Rewrite]:
    """(tag, version) `old` -> `new` in every file the globs match, tag first."""
    (old_tag, old_version), (new_tag, new_version) = old, new
    rewrites = []
    for path in sorted({p for pattern in globs for p in root.glob(pattern) if p.is_file()}):
        with path.open(encoding="utf-8", newline="") as handle:  # keep CRLF as it is
            before = handle.read()
        after = _replace(_replace(before, old_tag, new_tag), old_version, new_version)
        if after != before:
            rewrites.append(Rewrite(path, before, after))
    return rewrites


def unified_diff(rewrites: list[Rewrite], root: Path) -> str:
    chunks: list[str] = []
    for rewrite in rewrites:
        name = rewrite.path.relative_to(root).as_posix()
        chunks.extend(
            difflib.unified_diff(
                rewrite.before.splitlines(keepends=True),
                rewrite.after.splitlines(keepends=True),
                f"a/{name}",
                f"b/{name}",
            )
        )
    return "".join(chunks)


def apply_on_branch(git: Git, rewrites: list[Rewrite], branch: str, message: str) -> str:
    """Commit the rewrites on a new branch from HEAD, push it, return to where we were."""
    branch_before, head_before = git.current_branch(), git.head_sha()
    git.create_branch(branch, head_before)
    try:
        for rewrite in rewrites:
            write_atomic(rewrite.path, rewrite.after)
        sha = git.commit_paths([r.path for r in rewrites], message)
        git.push_branch(branch)
    finally:
        if branch_before is not None:
            git.switch(branch_before)
        else:
            git.switch(head_before, detach=True)  # CI checks out the tag detached; leave it so
    return sha


@dataclass(frozen=True)
class DocsPlan:
    """The docs rewrite of a release: from the previous release's tag to this one's."""

    tag: str
    previous: str
    branch: str
    rewrites: tuple[Rewrite, ...]
    pushed_before: bool  # an earlier run of the release already pushed the branch

    def diff(self, root: Path) -> str:
        return unified_diff(list(self.rewrites), root)


def plan_docs_links(workspace: Workspace, tag: str) -> DocsPlan | str:
    """What the release rewrites in `docs-files`, or why there is nothing to rewrite."""
    config = workspace.config
    if not config.docs_files:
        return "no docs-files configured"
    version = workspace.version()
    previous = previous_release_tag(workspace, version)
    if previous is None:
        return "no previous release to point away from"
    old = (previous, str(version_from_tag(previous, config.tag_format)))
    rewrites = plan_rewrites(workspace.root, config.docs_files, old, (tag, str(version)))
    if not rewrites:
        return f"no reference to {previous} in {', '.join(config.docs_files)}"
    branch = f"tagship/docs-{tag}"
    git = workspace.require_git()
    pushed = git.branch_exists(branch) or git.remote_ref_sha(f"refs/heads/{branch}") is not None
    return DocsPlan(tag, previous, branch, tuple(rewrites), pushed)


def rewrite_docs(workspace: Workspace, plan: DocsPlan) -> str:
    """Commit the rewrites on the plan's branch and push it; returns the commit."""
    return apply_on_branch(
        workspace.require_git(), list(plan.rewrites), plan.branch, f"Point docs at {plan.tag}"
    )


def open_docs_pull(workspace: Workspace, plan: DocsPlan) -> str:
    """Open (or find) the pull request of the plan's branch; returns its URL."""
    config = workspace.config
    client = host_client(workspace.ci, config, command="release", permission="pull-requests: write")
    body = (
        f"References to {plan.previous} in the docs now point at {plan.tag}, released by tagship."
    )
    return client.open_pull(plan.branch, config.release_branch, f"Point docs at {plan.tag}", body)
