"""`tagship build`: build the sdist and wheel of HEAD, verify them, write the manifest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.adapters.build.builder import BuildFailedError
from tagship.cli.artifacts_render import show_manifest, show_problems
from tagship.cli.context import in_project
from tagship.cli.flow_render import one_step
from tagship.cli.json_fields import built
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line, progress_display
from tagship.core.release_plan import BUILD
from tagship.steps.build.build import build_artifacts, built_summary
from tagship.steps.verify.verify import VerificationError

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=Path("dist"), metavar="DIR", help="output directory (dist)"
    )
    parser.add_argument(
        "--clean", action="store_true", help="remove build output of other versions from DIR"
    )
    parser.add_argument(
        "--reproducible", action="store_true", help="build twice and fail if the bytes differ"
    )
    parser.add_argument(
        "--allow-dirty", action="store_true", help="build despite uncommitted changes (trial)"
    )
    parser.add_argument(
        "--builder",
        choices=("auto", "uv", "build"),
        default="auto",
        help="build frontend. auto (default): with uv, a reused build environment (fresh "
        "`uv build` when reuse-build-env = false), else python -m build; uv: always a fresh "
        "`uv build`; build: python -m build",
    )
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    workspace = ctx.workspace()
    out = in_project(workspace, args.out)
    with progress_display(ctx.ci) as progress:
        try:
            result = one_step(
                BUILD,
                lambda: build_artifacts(
                    workspace,
                    out,
                    clean=args.clean,
                    reproducible=args.reproducible,
                    allow_dirty=args.allow_dirty,
                    builder=args.builder,
                    runner=ctx.runner,
                    progress=progress,
                ),
                built_summary,
            )
        except (VerificationError, BuildFailedError) as error:
            show_problems(error)
            raise
    emit_json(built(result.directory, result.manifest, reproducible=result.reproducible))
    show_manifest(result.manifest, result.directory, ctx)
    if result.reproducible:
        line("reproducible\tyes (two builds gave the same bytes)")
    next_step("tagship dry-run: publishes to the test index and proves the install")
    return 0
