"""`tagship rehearse`: the whole release of the user's own project, on this machine.

A throwaway copy of the repository (a bare mirror as `origin`, a work tree at the committed
HEAD), two local pypiservers standing in for TestPyPI and PyPI, then the dry run, the tag, the
release as the tag's GitHub Actions job runs it, and the audit: the same flows a real release
runs. The stand-ins are declared `official = false` in the copy's configuration only, so the
CI-only rule of real runs is untouched; the release runs with the environment of the tag's
job, as the demo's does. The user's repository is only read, and proven unchanged at the end.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tagship.adapters.git import Git
from tagship.adapters.git_clone import fingerprint, read_original, throwaway_clone
from tagship.adapters.http import Http, RetryPolicy
from tagship.core.config import Config, IndexConfig, github_repo_from_url
from tagship.core.errors import IntegrityError
from tagship.core.notes import render_markdown
from tagship.core.release_plan import REBUILD_CHECK
from tagship.core.words import plural
from tagship.flows.rehearse_checks import hinting_skip_checks
from tagship.flows.rehearse_github import UNKNOWN_REPOSITORY, github_plan
from tagship.flows.rehearse_version import choose
from tagship.flows.stand_ins import (
    STAND_IN_INDEXES,
    LocalRuns,
    audited,
    clean_env,
    counted,
    detail,
    indexes_summary,
    ledger_verified,
    start_indexes,
)
from tagship.repository import open_package, open_repository
from tagship.steps.build.artifacts import load_manifest
from tagship.steps.notes.release_notes import local_notes
from tagship.steps.versions.bump import bump_version

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from tagship.adapters.git_clone import Original
    from tagship.adapters.process import Runner
    from tagship.core.manifest import ManifestFile
    from tagship.core.notes import ReleaseNotes
    from tagship.flows.pipeline import Pipeline, StepReport
    from tagship.flows.sample import SampleIndex
    from tagship.workspace import Workspace

REHEARSAL = "rehearse (a local stand-in)"
SKIPPED_CHECKS = "rehearse --skip-checks"
_SHOWN = 3  # uncommitted paths named in the report


@dataclass(frozen=True)
class RehearseOptions:
    """What the command line chose: the package, and the version to release (`bump`: a bump
    part or X.Y.Z committed in the copy; `version`: for a version from git tags; neither:
    rehearse_version.choose picks it)."""

    package: str | None = None
    bump: str | None = None
    version: str | None = None
    # the required checks not run: the rehearsal of the release itself, in an environment
    # without the project's development tools (the real release still needs them green)
    skip_checks: bool = False


@dataclass(frozen=True)
class Rehearsal:
    """What the rehearsal released, and what the real release would do on GitHub."""

    project: str
    version: str
    checks_skipped: bool
    tag: str
    head: str  # the user's committed HEAD that was rehearsed
    branch: str | None
    uncommitted: tuple[str, ...]  # left out: only committed work is released
    files: tuple[ManifestFile, ...]
    notes: str  # the draft GitHub Release's body
    github: tuple[str, ...]


def with_stand_ins(workspace: Workspace, indexes: Mapping[str, SampleIndex]) -> Workspace:
    """The copy's workspace publishing to the local indexes under the names the workflows use
    (their environments and workflows kept), declared non-official."""
    config = workspace.config
    chosen = dict(config.indexes)
    sources = dict(config.sources)
    for name, local in indexes.items():
        declared = config.indexes.get(name)
        chosen[name] = IndexConfig(
            name,
            local.upload_url,
            local.simple_url,
            environment=declared.environment if declared else name,
            workflow=declared.workflow if declared else None,
            official=False,
        )
        sources.update(
            dict.fromkeys(
                (f"indexes.{name}.{k}" for k in ("upload-url", "simple-url", "official")), REHEARSAL
            )
        )
    return replace(workspace, config=replace(config, indexes=chosen, sources=sources))


def without_checks(workspace: Workspace) -> Workspace:
    """The copy's workspace with every required check written as skipped."""
    config = workspace.config
    names = config.required_checks
    sources = {**config.sources, **{f"checks.{n}": SKIPPED_CHECKS for n in names}}
    commands = dict.fromkeys(names, "")
    return replace(workspace, config=replace(config, check_commands=commands, sources=sources))


def _repository(workspace: Workspace, original: Original) -> str:
    """The GitHub repository the real jobs run in: as configured, else the user's origin."""
    config = workspace.config
    if config.github_owner and config.github_repository:
        return f"{config.github_owner}/{config.github_repository}"
    parsed = github_repo_from_url(original.origin_url)
    return "/".join(parsed) if parsed else UNKNOWN_REPOSITORY


def rehearse(
    pipeline: Pipeline,
    project_dir: Path,
    base: Path,
    env: Mapping[str, str],
    *,
    options: RehearseOptions,
    runner: Runner,
    echo: Callable[[StepReport], None],
) -> Rehearsal:
    """Release the committed HEAD of the project at `project_dir` in a copy under `base`,
    against local indexes; the servers stop on any exit."""
    env = clean_env(env)
    root = Git.discover(project_dir, runner, env).root
    relative = project_dir.resolve().relative_to(root.resolve())
    before = fingerprint(root, runner, env)
    original = pipeline.step(
        "your repository", lambda: read_original(root, runner, env), _described
    )
    clone = pipeline.step(
        "throwaway copy",
        lambda: throwaway_clone(original, base / "repository", runner, env),
        lambda c: (
            f"{c.work}, its origin a mirror of yours ({c.origin}); your remotes are never contacted"
        ),
    )
    with ExitStack() as stack:
        indexes = pipeline.step(
            "local indexes", lambda: start_indexes(stack, base / "indexes"), indexes_summary
        )

        def opened() -> Workspace:
            repository = open_repository(clone.work / relative)
            return open_package(repository, options.package, env=env, runner=runner)

        def standing_in(chosen: Workspace) -> Workspace:
            local = with_stand_ins(chosen, indexes)
            return without_checks(local) if options.skip_checks else local

        def project() -> tuple[Config, Workspace]:
            chosen = opened()  # its configuration names the real indexes, for GitHub's part
            return chosen.config, standing_in(chosen)

        declared, workspace = pipeline.step("project", project, lambda p: _project(p[1]))
        notes = pipeline.step("release notes", lambda: local_notes(workspace), _notes)
        choice = choose(workspace, notes, bump=options.bump, version=options.version)
        if choice.bump is not None:
            bump = choice.bump
            pipeline.step(
                "next version",
                lambda: _bumped(workspace, bump),
                lambda d: (
                    f"{d} ({choice.why}): committed in the copy and pushed to its origin, "
                    f"as tagship bump {bump} --commit would"
                ),
            )
            workspace = standing_in(opened())
        elif choice.version is not None:
            version = choice.version
            workspace = pipeline.step(
                "next version",
                lambda: workspace.releasing(version),
                lambda w: (
                    f"{w.version()} ({choice.why}), from git tags: the tag carries it "
                    f"(--version {version})"
                ),
            )
        else:
            pipeline.skip("next version", choice.why)
        policy = RetryPolicy(attempts=3, base_delay=0.2, timeout=30)
        runs = LocalRuns(
            stack.enter_context(Http(policy)),
            runner,
            echo,
            _repository(workspace, original),
            # unlike any run id the ledger of the user's real releases holds
            run_id=str(time.time_ns()),
        )
        tag = workspace.expected_tag()
        pipeline.step(
            "TestPyPI dry run", lambda: hinting_skip_checks(runs.dry_run, workspace), counted
        )
        pipeline.step("tag", lambda: runs.tag(workspace), counted)
        pipeline.step(
            "release from CI",
            lambda: runs.release(workspace),
            lambda sub: (
                f"{tag} released as the tag's job would: {counted(sub)}; rebuild "
                f"cross-check: {detail(sub, REBUILD_CHECK)}"
            ),
        )
        manifest = load_manifest(workspace.root / "dist")
        pipeline.step("audit", lambda: audited(workspace, runs.http), str)
        pipeline.step("ledger verify", lambda: ledger_verified(workspace), str)
    pipeline.step("your repository untouched", lambda: _untouched(root, before, runner, env), str)
    return Rehearsal(
        project=workspace.name,
        version=str(workspace.version()),
        checks_skipped=options.skip_checks,
        tag=tag,
        head=original.head,
        branch=original.branch,
        uncommitted=original.dirty,
        files=manifest.files,
        notes=render_markdown(notes),
        github=github_plan(
            declared,
            project=workspace.name,
            tag=tag,
            notes=notes,
            repository=runs.repository,
            origin_url=original.origin_url,
        ),
    )


def _described(original: Original) -> str:
    where = f"on {original.branch}" if original.branch else "detached"
    text = f"{original.root}: HEAD {original.head[:12]} {where}"
    if original.dirty:
        more = " ..." if len(original.dirty) > _SHOWN else ""
        shown = ", ".join(original.dirty[:_SHOWN]) + more
        text += (
            f"; {plural(len(original.dirty), 'uncommitted change')} left out ({shown}): the "
            "committed HEAD is rehearsed"
        )
    return text


def _project(workspace: Workspace) -> str:
    names = ", ".join(f"{n} -> {workspace.config.index(n).simple_url}" for n in STAND_IN_INDEXES)
    skipped = any(s == SKIPPED_CHECKS for s in workspace.config.sources.values())
    return (
        f"{workspace.name} {workspace.version()} (from {workspace.meta.source.where}), tag "
        f"{workspace.expected_tag()}; stand-ins: {names}"
        + ("; required checks not run (--skip-checks)" if skipped else "")
    )


def _notes(notes: ReleaseNotes) -> str:
    since = notes.since or "the first commit"
    found = f"{plural(len(notes.pulls), 'merged pull request')} since {since}"
    if notes.problems:
        found += f" ({len(notes.problems)} without exactly one release label)"
    if notes.next_version is None:
        return f"{found}: nothing they ask to release"
    return f"{found}: they ask for {notes.next_version}"


def _bumped(workspace: Workspace, spec: str) -> str:
    done = bump_version(workspace, spec, commit=True, dry_run=False)
    git = workspace.require_git()
    git.push_branch(git.require_branch())
    return f"{done.old} -> {done.new}"


def _untouched(root: Path, before: str, runner: Runner, env: Mapping[str, str]) -> str:
    if fingerprint(root, runner, env) != before:
        raise IntegrityError(
            f"the repository at {root} changed while it was rehearsed",
            hint="something else wrote to it meanwhile: check git status and git log",
        )
    return "its refs, HEAD, status, uncommitted changes and config are as before"
