"""`tagship manifest merge --out DIR SRC_DIR...`: one verified manifest from several jobs' files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.artifacts_render import show_manifest, show_problems
from tagship.cli.context import in_project
from tagship.cli.flow_render import one_step
from tagship.cli.json_fields import built
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json
from tagship.core.release_plan import BUILD
from tagship.steps.build.manifest_merge import merge_manifest, merged_summary
from tagship.steps.verify.verify import VerificationError

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    merge = sub.add_parser(
        "merge",
        help="copy the files of several build jobs into DIR, verify them together and write "
        "their manifest (the gather job of a compiled project's build matrix)",
    )
    merge.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="the merged build directory"
    )
    merge.add_argument(
        "sources", nargs="+", type=Path, metavar="SRC_DIR", help="a directory of one job's files"
    )
    add_format(merge)


def run(args: argparse.Namespace, ctx: Context) -> int:
    workspace = ctx.workspace()
    out = in_project(workspace, args.out)
    sources = [in_project(workspace, source) for source in args.sources]
    try:
        result = one_step(BUILD, lambda: merge_manifest(workspace, out, sources), merged_summary)
    except VerificationError as error:
        show_problems(error)
        raise
    emit_json(built(result.directory, result.manifest, action="merge"))
    show_manifest(result.manifest, result.directory, ctx)
    next_step(f"tagship preflight --dir {args.out}: the index's rules, before publishing")
    return 0
