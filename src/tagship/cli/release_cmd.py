"""`tagship release [--tag TAG]`: the production release (publish-pypi.yml, on the tag)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.adapters.http import Http, policy_from_env
from tagship.cli.dry_run_cmd import add_flow_options, flow_options
from tagship.cli.flow_render import masker, run_flow
from tagship.flows.release import release

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context
    from tagship.flows.pipeline import Pipeline
    from tagship.workspace import Workspace


def configure(parser: argparse.ArgumentParser) -> None:
    add_flow_options(parser, "pypi")
    parser.add_argument("--tag", help="the tag to release (default: from GITHUB_REF)")
    parser.add_argument(
        "--no-rebuild-check",
        dest="rebuild_check",
        action="store_false",
        help="promote and publish without rebuilding the tag to compare (unless "
        "require-identical-rebuild = true)",
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    workspace = ctx.workspace()
    options = flow_options(args, workspace)

    def body(pipeline: Pipeline) -> None:
        with Http(policy_from_env(ctx.env)) as http:
            release(
                pipeline,
                workspace,
                options,
                tag=args.tag,
                http=http,
                runner=ctx.runner,
                mask=masker(ctx),
                cross_check=args.rebuild_check,
            )

    return run_flow(ctx, "release", args.dry_run, body, then=lambda: _then(args, ctx, workspace))


def _then(args: argparse.Namespace, ctx: Context, workspace: Workspace) -> str:
    if args.dry_run:
        return "tagship release, without --dry-run, in the tag's publish workflow"
    if ctx.ci.token is None:  # the flow skipped the Release on GitHub
        tag = args.tag or ctx.ci.tag or workspace.expected_tag()
        return f"publish the GitHub Release: tagship github-release publish {tag}"
    return f"tagship audit --index {args.index}: proves each file there came from a release"
