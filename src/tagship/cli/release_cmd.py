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

    return run_flow(ctx, "release", args.dry_run, body)
