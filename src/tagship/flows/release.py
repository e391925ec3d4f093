"""`tagship release`: the body of publish-pypi.yml, in CI on the tag.

tag == version -> tagged by tagship -> promote the recorded dry run's files (fetched from its
test index, every byte checked, verified) -> rebuild cross-check -> publish -> wait ->
verify-install -> publish the GitHub Release -> docs links. With `release-artifacts =
"rebuild"`: build -> verify -> tagged by tagship -> byte-identical to the dry run instead.
Rerunning a failed job finishes the release: published files are skipped, a published Release
is left as it is (every asset goes onto the draft before it is published: immutable releases).
The steps and their order are declared in core/release_plan.py, which init also writes
publish-pypi.yml from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.core import release_plan as plan
from tagship.core.manifest import MANIFEST_NAME
from tagship.core.versions import check_tag
from tagship.core.words import plural
from tagship.flows.publishing_tail import build, publish_wait_install
from tagship.steps.build.rebuild_check import rebuild_check, rebuild_summary, recorded
from tagship.steps.build.rebuild_policy import why_not_rebuilt
from tagship.steps.gates.gates import Gate, draft_exists, guarded, policy_as_committed
from tagship.steps.gates.release_checks import releasable, release_tag, same_bytes_as_dry_run
from tagship.steps.notes.docs_links import DocsPlan, open_docs_pull, plan_docs_links, rewrite_docs
from tagship.steps.notes.github_release import release_on_github, released_summary
from tagship.steps.publish.promote import promote, promoted_summary

if TYPE_CHECKING:
    from collections.abc import Callable

    from tagship.adapters.http import Http
    from tagship.adapters.process import Runner
    from tagship.core.config import IndexConfig
    from tagship.core.manifest import Manifest
    from tagship.flows.options import FlowOptions
    from tagship.flows.pipeline import Pipeline
    from tagship.workspace import Workspace

NO_GITHUB = "GitHub not configured (no GITHUB_TOKEN)"


def tag_gate(workspace: Workspace, tag: str) -> Gate:
    check_tag(tag, workspace.version(), workspace.config.tag_format, workspace.meta.source)
    git = workspace.require_git()
    target, head = git.tag_target(tag), git.head_sha()
    if target is None:
        return Gate("tag == version", "failed", f"tag {tag} does not exist here")
    if target != head:
        return Gate("tag == version", "failed", f"{tag} is {target[:12]}, HEAD is {head[:12]}")
    return Gate("tag == version", "passed", f"{tag} is the tag of {workspace.version()} at HEAD")


def release(
    pipeline: Pipeline,
    workspace: Workspace,
    options: FlowOptions,
    *,
    tag: str | None,
    http: Http,
    runner: Runner,
    mask: Callable[[str], None],
    cross_check: bool = True,
) -> None:
    """Release the tagged commit to the production index (without the rebuild cross-check
    when not `cross_check` and the policy does not require it)."""
    name = release_tag(workspace, tag)
    index = workspace.config.index(options.index)
    pipeline.gates(
        [
            guarded("policy as committed", lambda: policy_as_committed(workspace, index)),
            guarded("tag == version", lambda: tag_gate(workspace, name)),
            # before anything is published: the Release the maintainer reviewed exists
            guarded("draft release", lambda: draft_exists(workspace, name)),
        ]
    )
    if pipeline.dry_run:
        steps = plan.release_steps(index.name, workspace.config.release_artifacts)
        _would(pipeline, workspace, name, steps[1:])
        return
    manifest = release_files(
        pipeline,
        workspace,
        options,
        name,
        index,
        http=http,
        runner=runner,
        cross_check=cross_check,
    )
    publish_wait_install(
        pipeline, workspace, manifest, options, index, http=http, runner=runner, mask=mask
    )
    if workspace.ci.token is None:
        pipeline.skip(plan.GITHUB_RELEASE, NO_GITHUB)
    else:
        manifest_file = options.out_dir / MANIFEST_NAME
        pipeline.step(
            plan.GITHUB_RELEASE,
            lambda: release_on_github(workspace, name, manifest_file, index),
            released_summary,
        )
    docs_links(pipeline, workspace, name)


def release_files(
    pipeline: Pipeline,
    workspace: Workspace,
    options: FlowOptions,
    tag: str,
    index: IndexConfig,
    *,
    http: Http,
    runner: Runner,
    cross_check: bool = True,
) -> Manifest:
    """The files to publish, in the flow's directory: the dry run's, promoted (then the
    rebuild cross-check), or with `release-artifacts = "rebuild"` a rebuild of the same bytes."""
    head = workspace.require_git().head_sha()
    if workspace.config.release_artifacts == "rebuild":
        manifest = build(pipeline, workspace, options, runner)
        pipeline.step(plan.TAGGED, lambda: releasable(workspace, tag, head), str)
        pipeline.step(
            plan.SAME_BYTES, lambda: same_bytes_as_dry_run(workspace, manifest, index), str
        )
        return manifest
    pipeline.step(plan.TAGGED, lambda: releasable(workspace, tag, head), str)
    directory = options.out_dir
    promoted = pipeline.step(
        plan.PROMOTE, lambda: promote(workspace, directory, index, http=http), promoted_summary
    )
    if not cross_check and not workspace.config.identical_rebuild_required:
        pipeline.skip(plan.REBUILD_CHECK, "not run (--no-rebuild-check)")
        return promoted.manifest
    reason = why_not_rebuilt(workspace.config, promoted.manifest)
    if reason is not None:  # no second compile for a verdict known before it is built
        noted = recorded(directory, promoted.manifest, reason)
        pipeline.skip(plan.REBUILD_CHECK, reason)
        return noted.manifest
    checked = pipeline.step(
        plan.REBUILD_CHECK,
        lambda: rebuild_check(workspace, directory, runner=runner),
        rebuild_summary,
    )
    return checked.manifest


def _would(
    pipeline: Pipeline, workspace: Workspace, tag: str, steps: tuple[plan.ReleaseStep, ...]
) -> None:
    """The release's remaining steps as they would run: the docs diff, what is skipped."""
    docs = plan_docs_links(workspace, tag)
    for step in steps:
        if step.name == plan.GITHUB_RELEASE and workspace.ci.token is None:
            pipeline.skip(step.name, NO_GITHUB)
        elif step.name == plan.DOCS_LINKS and isinstance(docs, DocsPlan):
            diff = docs.diff(workspace.root).rstrip()
            would = f"rewrite {plural(len(docs.rewrites), 'file')} on {docs.branch}:\n{diff}"
            pipeline.would([(step.name, would)])
        elif step.name in (plan.DOCS_LINKS, plan.DOCS_PULL) and isinstance(docs, str):
            pipeline.skip(step.name, docs)
        else:
            pipeline.would([(step.name, step.would)])


def docs_links(pipeline: Pipeline, workspace: Workspace, tag: str) -> None:
    """Step 8's docs links: rewritten on a branch of their own, and a pull request opened."""
    docs = plan_docs_links(workspace, tag)
    if isinstance(docs, str):
        pipeline.skip(plan.DOCS_LINKS, docs)
        return
    if docs.pushed_before:
        pipeline.skip(
            plan.DOCS_LINKS, f"already rewritten on branch {docs.branch} (an earlier run)"
        )
    else:
        pipeline.step(
            plan.DOCS_LINKS,
            lambda: rewrite_docs(workspace, docs),
            lambda sha: (
                f"{plural(len(docs.rewrites), 'file')} on branch {docs.branch} ({sha[:12]}), pushed"
            ),
        )
    if workspace.ci.token is None:
        pipeline.skip(plan.DOCS_PULL, f"GitHub not configured: open it from {docs.branch}")
        return
    pipeline.step(plan.DOCS_PULL, lambda: open_docs_pull(workspace, docs), str)
