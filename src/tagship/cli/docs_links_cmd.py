"""`tagship docs-links TAG`: point the docs at the release, on a branch, with a pull request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.cli.flow_render import run_flow
from tagship.cli.options import add_format

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context
    from tagship.flows.pipeline import Pipeline


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tag", metavar="TAG", help="the release tag the docs should name")
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.flows.release import docs_links  # noqa: PLC0415

    workspace = ctx.workspace()

    ran: list[Pipeline] = []

    def body(pipeline: Pipeline) -> None:
        ran.append(pipeline)
        docs_links(pipeline, workspace, args.tag)

    def then() -> str:  # the last step says where the docs stand: a pull request, or why not
        last = ran[0].report().steps[-1]
        if last.status == "passed":
            return f"review and merge the docs pull request: {last.detail}"
        return f"nothing more to run for the docs of {args.tag}: {last.detail}"

    return run_flow(ctx, "docs-links", dry_run=False, body=body, then=then)
