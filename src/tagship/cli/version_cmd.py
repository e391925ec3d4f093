"""`tagship version`: print the project's version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.cli.render import line

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tag", action="store_true", help="print the expected release tag instead")


def run(args: argparse.Namespace, ctx: Context) -> int:
    workspace = ctx.workspace()
    line(workspace.expected_tag() if args.tag else str(workspace.version()))
    return 0
