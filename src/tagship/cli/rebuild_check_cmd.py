"""`tagship rebuild-check`: rebuild the tag and compare it with the promoted files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.context import in_project
from tagship.cli.flow_render import one_step
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, step_summary
from tagship.core.release_plan import REBUILD_CHECK
from tagship.steps.build.rebuild_check import rebuild_check, rebuild_summary

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir", type=Path, default=Path("dist"), metavar="DIR", help="the promoted files (dist)"
    )
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    workspace = ctx.workspace()
    directory = in_project(workspace, args.dir)
    done = one_step(
        REBUILD_CHECK,
        lambda: rebuild_check(workspace, directory, runner=ctx.runner),
        rebuild_summary,
    )
    emit_json(
        {
            "tag": done.manifest.tag,
            "version": done.manifest.version,
            "identical": done.identical,
            "verdict": done.verdict,
        }
    )
    title = f"rebuild of {done.manifest.tag} against the promoted files"
    step_summary(ctx, f"### {title}\n\n{done.verdict}\n")
    next_step(f"tagship publish --index pypi --dir {args.dir}: the promoted files")
    return 0
