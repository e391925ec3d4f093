"""`tagship check-tag [TAG]`: the tag/version gate of the publish workflow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line
from tagship.core.errors import GateError, UsageError
from tagship.core.versions import check_tag
from tagship.steps.gates.gates import draft_exists
from tagship.steps.versions.version_files import stale_literal

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tag", nargs="?", help="the tag to check (default: from GITHUB_REF)")
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    tag = args.tag or ctx.ci.tag
    if tag is None:
        ref = ctx.ci.ref
        raise UsageError(
            "no TAG given and GITHUB_REF is not a tag ref" + (f" ({ref})" if ref else ""),
            hint="pass the tag (tagship check-tag v1.2.3) or run on a tag push",
        )
    workspace = ctx.workspace(tag=tag)  # in a repository of several, the tag's package
    version = workspace.version()
    check_tag(tag, version, workspace.config.tag_format, workspace.meta.source)
    stale_literal(workspace, version)
    line(f"tag {tag} matches version {version}")
    # with a token, the release gate's other question: is there a Release to publish?
    draft = draft_exists(workspace, tag)
    emit_json({"tag": tag, "version": str(version), "draft": draft})
    if draft.verdict == "failed":
        raise GateError(draft.why, hint="nothing was published; create the draft, then rerun")
    if draft.verdict == "passed":
        line(f"draft release: {draft.why}")
    next_step(f"tagship release --tag {tag}: promote the dry run's files, publish, release")
    return 0
