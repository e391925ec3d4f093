"""`tagship tag`: every gate of steps 2-6 in a table; all pass: the tag is created and pushed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.adapters.http import Http, policy_from_env
from tagship.cli.context import in_project
from tagship.cli.dry_run_cmd import add_version_option
from tagship.cli.flow_render import run_flow
from tagship.cli.options import add_format
from tagship.flows.tag import tag_release

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context
    from tagship.flows.pipeline import Pipeline


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index",
        "--production",
        dest="index",
        default="pypi",
        help="the production index the version must not be on yet (default pypi)",
    )
    parser.add_argument("--checks", choices=("auto", "github", "local"), default="auto")
    parser.add_argument("--dir", type=Path, default=Path("dist"), help="the build directory")
    parser.add_argument("--dry-run", action="store_true", help="check the gates, create nothing")
    add_version_option(parser)
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    workspace = ctx.workspace().releasing(args.version)

    def body(pipeline: Pipeline) -> None:
        with Http(policy_from_env(ctx.env)) as http:
            tag_release(
                pipeline,
                workspace,
                http=http,
                runner=ctx.runner,
                checks=args.checks,
                production=args.index,
                build_dir=in_project(workspace, args.dir),
            )

    def then() -> str:
        if args.dry_run:
            return "tagship tag, without --dry-run: create and push the tag"
        tag = workspace.expected_tag()
        workflow = workspace.config.index(args.index).workflow or "publish workflow"
        return f"the {workflow} run on {tag} releases it: tagship wait-workflow --tag {tag}"

    return run_flow(ctx, "tag", args.dry_run, body, then=then)
