"""`tagship version`: print the project's version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tag", action="store_true", help="print the expected release tag instead")
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    workspace = ctx.workspace()
    version, tag = str(workspace.version()), workspace.expected_tag()
    line(tag if args.tag else version)
    emit_json({"version": version, "tag": tag})
    return 0
