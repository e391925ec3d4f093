"""`tagship release`: the body of publish-pypi.yml, in CI on the tag.

tag == version -> build -> verify -> byte-identical to the recorded dry run -> publish ->
wait -> verify-install -> publish the GitHub Release -> docs links. Rerunning a failed job
finishes the release: published files are skipped, a published Release is left as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.adapters.ledger_store import ledger_head
from tagship.core.errors import GateError, UsageError
from tagship.core.manifest import MANIFEST_NAME
from tagship.core.versions import check_tag, version_from_tag
from tagship.flows.docs_links import apply_on_branch, plan_rewrites, unified_diff
from tagship.flows.dry_run import build_step
from tagship.flows.gates import Gate, guarded, policy_as_committed
from tagship.flows.publishing_steps import publish_wait_install
from tagship.flows.record import dry_runs, ledger_records, record
from tagship.steps.audit import release_ref_patterns
from tagship.steps.github_release import publish_release
from tagship.steps.publish import is_official
from tagship.steps.release_notes import previous_release_tag
from tagship.steps.reproduce import known_unreproducible

if TYPE_CHECKING:
    from collections.abc import Callable

    from tagship.adapters.http import Http
    from tagship.adapters.process import Runner
    from tagship.core.config import IndexConfig
    from tagship.core.manifest import Manifest
    from tagship.flows.options import FlowOptions
    from tagship.flows.pipeline import Pipeline
    from tagship.workspace import Workspace


def release_tag(workspace: Workspace, tag: str | None) -> str:
    """The tag being released: given, or the one GitHub Actions checked out."""
    if tag:
        return tag
    ref = workspace.env.get("GITHUB_REF", "")
    if ref.startswith("refs/tags/"):
        return ref.removeprefix("refs/tags/")
    raise UsageError(
        "no tag to release: pass --tag or run on a tag push (GITHUB_REF=refs/tags/...)",
        hint="tagship release runs in publish-pypi.yml on the tag",
    )


def tag_gate(workspace: Workspace, tag: str) -> Gate:
    check_tag(tag, workspace.version(), workspace.config.tag_format, workspace.meta.source)
    git = workspace.require_git()
    target, head = git.tag_target(tag), git.head_sha()
    if target is None:
        return Gate("tag == version", "failed", f"tag {tag} does not exist here")
    if target != head:
        return Gate("tag == version", "failed", f"{tag} is {target[:12]}, HEAD is {head[:12]}")
    return Gate("tag == version", "passed", f"{tag} is the tag of {workspace.version()} at HEAD")


def releasable(workspace: Workspace, tag: str, commit: str) -> str:
    """The tag went through `tagship tag` (a ledger record) and its commit is on a release
    branch: a tag pushed by hand, or from a feature branch, is not released."""
    git = workspace.require_git()
    tagged = [
        r
        for r in ledger_records(workspace)
        if r.event.kind == "tag" and r.event.tag == tag and r.event.commit == commit
    ]
    if not tagged:
        raise GateError(
            f"{tag} at {commit[:12]} has no tag record in the ledger: it was not created by "
            "tagship tag",
            hint="delete the tag and create it with tagship tag, which checks every gate",
        )
    if commit not in git.reachable_commits(release_ref_patterns(workspace.config)):
        config = workspace.config
        raise GateError(
            f"{commit[:12]} is not on {config.release_branch} or a {config.hotfix_branches} "
            "branch (fetch them: actions/checkout with fetch-depth: 0)",
            hint="release from the release branch or a hotfix branch",
        )
    return f"tag record {tagged[-1].seq}; {commit[:12]} is on a release branch"


def same_bytes_as_dry_run(workspace: Workspace, built: Manifest, production: IndexConfig) -> str:
    """Compare the rebuild with the files the recorded dry run published. For an official
    production index, only a dry run made in CI to another index counts."""
    official = is_official(production)
    candidates = [
        r
        for r in dry_runs(workspace, built.version)
        if r.event.commit == built.commit
        and r.event.index != production.name
        and (r.actor.is_ci or not official)
    ]
    if not candidates:
        where = " from CI" if official else ""
        raise GateError(
            f"no successful dry run{where} of {built.version} is recorded for commit "
            f"{built.commit[:12]}",
            hint="run the TestPyPI dry run (publish-testpypi.yml) on that commit first",
        )
    dry = candidates[0]
    then = {f.name: f.sha256 for f in dry.event.files}
    now = {f.name: f.sha256 for f in built.files}
    differing = sorted(n for n in then.keys() | now.keys() if then.get(n) != now.get(n))
    if not differing:
        return f"byte-identical to dry run record {dry.seq}"
    reasons = [known_unreproducible(built.build_backend, n) for n in differing]
    known = next((r for r in reasons if r), None)
    message = f"the rebuild differs from the dry run's files: {', '.join(differing)}"
    if workspace.config.require_identical_rebuild:
        raise GateError(
            message + (f" ({known})" if known else ""),
            hint="make the build reproducible, or set require-identical-rebuild = false "
            "in [tool.tagship] if the backend cannot be",
        )
    return message + " (allowed: require-identical-rebuild = false)"


def release(
    pipeline: Pipeline,
    workspace: Workspace,
    options: FlowOptions,
    *,
    tag: str | None,
    http: Http,
    runner: Runner,
    mask: Callable[[str], None],
) -> None:
    """Release the tagged commit to the production index."""
    name = release_tag(workspace, tag)
    index = workspace.config.index(options.index)
    pipeline.gates(
        [
            guarded("policy as committed", lambda: policy_as_committed(workspace, index)),
            guarded("tag == version", lambda: tag_gate(workspace, name)),
        ]
    )
    head = workspace.require_git().head_sha()
    pipeline.step(
        "tagged by tagship",
        lambda: releasable(workspace, name, head),
        would="require the ledger's tag record and a commit on a release branch",
    )
    built = build_step(pipeline, workspace, options.out_dir, runner)
    pipeline.step(
        "same bytes as the dry run",
        lambda: same_bytes_as_dry_run(workspace, built(), index),
        would="compare the files with the recorded dry run's hashes",
    )
    publish_wait_install(
        pipeline, workspace, built, options, index, http=http, runner=runner, mask=mask
    )
    _github_release(pipeline, workspace, name, built, options)
    _docs_links(pipeline, workspace, name)


def _github_release(
    pipeline: Pipeline,
    workspace: Workspace,
    tag: str,
    built: Callable[[], Manifest],
    options: FlowOptions,
) -> None:
    env = workspace.env
    if not (env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")):
        pipeline.skip("GitHub Release", "GitHub not configured (no GITHUB_TOKEN)")
        return

    def publish_release_step() -> str:
        from tagship.adapters.github import GitHubClient  # noqa: PLC0415 - only with a token

        client = GitHubClient.from_env(
            env, workspace.config, command="release", permission="contents: write"
        )
        head = ledger_head(workspace.require_git())
        done = publish_release(
            workspace, client, tag, manifest=options.out_dir / MANIFEST_NAME, ledger_head=head
        )
        record(workspace, "github-release", built(), details={"url": done.release.html_url})
        return f"{done.release.html_url}" + (" (already published)" if done.already else "")

    pipeline.step("GitHub Release", publish_release_step, would=f"publish the draft release {tag}")


def _docs_links(pipeline: Pipeline, workspace: Workspace, tag: str) -> None:

    config = workspace.config
    if not config.docs_files:
        pipeline.skip("docs links", "no docs-files configured")
        return
    version = workspace.version()
    previous = previous_release_tag(workspace, version)
    if previous is None:
        pipeline.skip("docs links", "no previous release to point away from")
        return

    old = (previous, str(version_from_tag(previous, config.tag_format)))
    rewrites = plan_rewrites(workspace.root, config.docs_files, old, (tag, str(version)))
    if not rewrites:
        pipeline.skip("docs links", f"no reference to {previous} in {', '.join(config.docs_files)}")
        return
    branch = f"tagship/docs-{tag}"
    git = workspace.require_git()
    if git.branch_exists(branch) or git.remote_ref_sha(f"refs/heads/{branch}") is not None:
        pipeline.skip("docs links", f"already rewritten on branch {branch} (an earlier run)")
    else:

        def rewrite() -> str:
            sha = apply_on_branch(git, rewrites, branch, f"Point docs at {tag}")
            return f"{len(rewrites)} file(s) on branch {branch} ({sha[:12]}), pushed"

        diff = unified_diff(rewrites, workspace.root)
        would = f"rewrite {len(rewrites)} file(s) on {branch}:\n{diff.rstrip()}"
        pipeline.step("docs links", rewrite, would=would)
    env = workspace.env
    if not (env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")):
        pipeline.skip("docs pull request", f"GitHub not configured: open it from {branch}")
        return

    def open_pull() -> str:
        from tagship.adapters.github import GitHubClient  # noqa: PLC0415 - only with a token

        client = GitHubClient.from_env(
            env, config, command="release", permission="pull-requests: write"
        )
        body = f"References to {previous} in the docs now point at {tag}, released by tagship."
        return client.open_pull(branch, config.release_branch, f"Point docs at {tag}", body)

    pipeline.step("docs pull request", open_pull, would=f"open a pull request from {branch}")
