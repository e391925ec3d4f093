"""`tagship dry-run`: the TestPyPI dry run (publish-testpypi.yml), or locally to a test index."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.adapters.http import Http, policy_from_env
from tagship.cli.context import in_project
from tagship.cli.flow_render import masker, run_flow
from tagship.cli.options import add_format, seconds
from tagship.core.official import require_ci_for_official
from tagship.flows.dry_run import dry_run
from tagship.flows.options import FlowOptions

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context
    from tagship.flows.pipeline import Pipeline
    from tagship.workspace import Workspace


def add_flow_options(parser: argparse.ArgumentParser, index: str) -> None:
    parser.add_argument("--index", default=index, help=f"index to publish to (default {index})")
    parser.add_argument("--dir", type=Path, default=Path("dist"), help="the build directory")
    parser.add_argument(
        "--checks",
        choices=("auto", "github", "local"),
        default="auto",
        help="where required checks come from (auto: GitHub with a token, else run locally)",
    )
    parser.add_argument("--installer", choices=("auto", "uv", "pip"), default="auto")
    parser.add_argument(
        "--wait-timeout",
        type=seconds,
        default=600.0,
        metavar="SECONDS",
        help="how long the wait step waits for the index, exit 3 (default 600)",
    )
    parser.add_argument("--dry-run", action="store_true", help="report what would be done")
    add_format(parser)


def add_version_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--version",
        metavar="X.Y.Z",
        help="for a version that comes from git tags: the version about to be tagged",
    )


def flow_options(args: argparse.Namespace, workspace: Workspace) -> FlowOptions:
    return FlowOptions(
        in_project(workspace, args.dir), args.index, args.checks, args.installer, args.wait_timeout
    )


def configure(parser: argparse.ArgumentParser) -> None:
    add_flow_options(parser, "testpypi")
    add_version_option(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    workspace = ctx.workspace().releasing(args.version)
    if not args.dry_run:  # before any check runs or anything is built
        require_ci_for_official(workspace.config.index(args.index), workspace.ci)
    options = flow_options(args, workspace)

    def body(pipeline: Pipeline) -> None:
        with Http(policy_from_env(ctx.env)) as http:
            dry_run(pipeline, workspace, options, http=http, runner=ctx.runner, mask=masker(ctx))

    def then() -> str:
        if args.dry_run:
            return f"tagship dry-run, without --dry-run: build, publish to {options.index}, verify"
        return f"tagship tag: creates and pushes {workspace.expected_tag()}"

    return run_flow(ctx, "dry-run", args.dry_run, body, then=then)
