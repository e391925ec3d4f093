"""`tagship verify-artifacts`: check built files against the project and the manifest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.artifacts_render import show_problems
from tagship.cli.context import in_project
from tagship.cli.flow_render import one_step
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line
from tagship.cli.style import verdict
from tagship.core.manifest import MANIFEST_NAME
from tagship.core.release_plan import SAME_BYTES, TAGGED
from tagship.steps.build.artifacts import load_manifest
from tagship.steps.verify.verify import Expected, VerificationError, verify_build
from tagship.steps.verify.wheel_install import owned_top_level

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir", type=Path, default=Path("dist"), metavar="DIR", help="build directory (dist)"
    )
    parser.add_argument(
        "--same-as-dry-run",
        action="store_true",
        help="also require the tag's ledger record and the bytes of the recorded dry run "
        "(the release job)",
    )
    parser.add_argument(
        "--index", default="pypi", help="the production index, with --same-as-dry-run (pypi)"
    )
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    workspace = ctx.workspace()
    directory = in_project(workspace, args.dir)
    expected = Expected(
        workspace.name,
        workspace.expected_version(),
        workspace.config.allow_top_level,
        owned_top_level(workspace),
    )
    has_manifest = (directory / MANIFEST_NAME).is_file()
    # with a manifest, the recorded bytes first: a changed file is an integrity failure (exit 4)
    manifest = load_manifest(directory) if has_manifest else None
    try:
        report = verify_build(directory, manifest, expected)
    except VerificationError as error:
        show_problems(error)
        raise
    emit_json(
        {
            "directory": directory,
            "files": [{"kind": d.kind, "name": d.name} for d in report.files],
            "manifest": has_manifest,
            "same_as_dry_run": args.same_as_dry_run,
        }
    )
    for dist in report.files:
        line(f"{verdict('ok')}\t{dist.kind}\t{dist.name}")
    line(f"manifest\t{'matches' if has_manifest else f'none ({MANIFEST_NAME} not found)'}")
    if args.same_as_dry_run:
        from tagship.steps.gates.release_checks import (  # noqa: PLC0415 - reads the ledger
            releasable,
            same_bytes_as_dry_run,
        )

        built = load_manifest(directory)
        production = workspace.config.index(args.index)
        one_step(TAGGED, lambda: releasable(workspace, built.tag, built.commit), str)
        one_step(SAME_BYTES, lambda: same_bytes_as_dry_run(workspace, built, production), str)
        next_step(f"tagship publish --index {args.index}")
        return 0
    next_step("tagship publish --index INDEX, or tagship dry-run to do it all")
    return 0
