"""The gates of the release flow: each returns a verdict with the reason, never raises
for a closed gate, so a command can show all of them in one table."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from tagship.ci import host_title
from tagship.ci.clients import host_client
from tagship.core.errors import TagshipError
from tagship.core.infer_checks import github_check_names
from tagship.core.official import is_official

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tagship.adapters.process import Runner
    from tagship.core.config import IndexConfig
    from tagship.workspace import Workspace

Verdict = Literal["passed", "failed", "skipped"]
ChecksMode = Literal["auto", "github", "local"]
LABEL_CHECK = "release-label"  # a pull-request check: it never reports on a branch's commits


@dataclass(frozen=True)
class Gate:
    name: str
    verdict: Verdict
    why: str


def guarded(name: str, check: Callable[[], Gate]) -> Gate:
    """A gate whose evaluation itself failed (index down, no ledger) is a closed gate."""
    try:
        return check()
    except TagshipError as exc:
        return Gate(name, "failed", exc.message)


def tree_clean(workspace: Workspace, build_dir: Path | None = None) -> Gate:
    # the build's and the checks' modules load with their gates: `check-tag` asks only for
    # the draft release, and starts without them
    from tagship.steps.build.artifacts import release_changes  # noqa: PLC0415

    git = workspace.require_git()
    # the build output is not a change to the release: the rule build_artifacts follows
    dirty = release_changes(git.root, git.dirty_files(), build_dir)
    if dirty:
        shown = ", ".join(dirty[:3]) + (" ..." if len(dirty) > 3 else "")  # noqa: PLR2004
        return Gate("tree clean", "failed", f"uncommitted changes: {shown}")
    return Gate("tree clean", "passed", "no uncommitted changes")


def release_branch(workspace: Workspace) -> Gate:
    config = workspace.config
    branch = workspace.require_git().current_branch()
    allowed = f"{config.release_branch} or {config.hotfix_branches}"
    if branch is None:
        return Gate("release branch", "failed", f"HEAD is detached; check out {allowed}")
    if branch == config.release_branch or fnmatch.fnmatchcase(branch, config.hotfix_branches):
        return Gate("release branch", "passed", f"on {branch}")
    return Gate("release branch", "failed", f"on {branch}, releases come from {allowed}")


def head_pushed(workspace: Workspace) -> Gate:
    git = workspace.require_git()
    branch = git.current_branch()
    if branch is None:
        return Gate("HEAD pushed", "failed", "HEAD is detached")
    remote = git.remote_ref_sha(f"refs/heads/{branch}")
    head = git.head_sha()
    if remote == head:
        return Gate("HEAD pushed", "passed", f"origin/{branch} is at {head[:12]}")
    state = "does not exist" if remote is None else f"is at {remote[:12]}"
    return Gate(
        "HEAD pushed", "failed", f"origin/{branch} {state}, HEAD is {head[:12]}: git push first"
    )


def checks_passed(workspace: Workspace, runner: Runner, mode: ChecksMode) -> Gate:
    """The required checks of HEAD: from GitHub (check runs and statuses) or run locally."""
    from tagship.steps.gates.checks import github_checks, local_checks  # noqa: PLC0415 - above

    use_github = mode == "github" or (mode == "auto" and workspace.ci.token is not None)
    if use_github:
        client = host_client(
            workspace.ci, workspace.config, command="tag", permission="checks: read, statuses: read"
        )
        checks = [c for c in workspace.config.required_checks if c != LABEL_CHECK]
        required = github_check_names(checks, workspace.package_of_several)
        report = github_checks(client, "HEAD", required, sha=workspace.require_git().head_sha())
    else:
        report = local_checks(workspace, runner)
    where = host_title(workspace.ci) if use_github else "run locally"
    if report.passed:
        return Gate("required checks", "passed", f"all passed ({where})")
    bad = ", ".join(f"{r.name} {r.state.value}" for r in report.not_passed())
    return Gate("required checks", "failed", f"{bad} ({where})")


def policy_as_committed(workspace: Workspace, target: IndexConfig) -> Gate:
    """An official release follows the policy committed in pyproject.toml, not --set."""
    changed = workspace.config.overridden
    if not changed:
        return Gate("policy as committed", "passed", "no --set overrides")
    if is_official(target):
        why = f"--set {', '.join(changed)}: an official release follows the committed policy"
        return Gate("policy as committed", "failed", why)
    why = f"--set {', '.join(changed)} allowed for the non-official {target.name} (recorded)"
    return Gate("policy as committed", "passed", why)


def release_version(workspace: Workspace) -> Gate:
    """A version indexes accept: no local part (a version from git tags between tags has one)."""
    version = workspace.version()
    if version.local is None:
        return Gate("release version", "passed", f"{version}")
    hint = (
        "pass --version X.Y.Z, the version you will tag"
        if workspace.meta.source.kind == "scm"
        else "remove the +local part"
    )
    return Gate("release version", "failed", f"{version} has a local part: {hint}")


def draft_exists(workspace: Workspace, tag: str) -> Gate:
    """The Release of `tag` the maintainer reviewed: a draft (or, when a rerun finds it,
    already published). Skipped without a GitHub token; drafts are listed only to a token
    that may write the repository's contents."""
    if workspace.ci.token is None:
        return Gate("draft release", "skipped", "GitHub not configured (no GITHUB_TOKEN)")
    client = host_client(
        workspace.ci,
        workspace.config,
        command="the draft release gate",
        permission="contents: write",
    )
    if not client.keeps_drafts:  # GitLab: the tag pipeline creates the release, once
        why = "the host keeps no drafts: the tag pipeline creates the release after production"
        return Gate("draft release", "skipped", why)
    found = [r for r in client.releases() if r.tag_name == tag]
    if any(r.draft for r in found):
        return Gate("draft release", "passed", f"a draft release for {tag} exists")
    if found:
        return Gate("draft release", "passed", f"the release for {tag} is already published")
    return Gate(
        "draft release", "failed", f"no draft release for {tag}: run tagship notes --github"
    )
