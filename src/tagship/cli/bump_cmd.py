"""`tagship bump PART|X.Y.Z [--commit]`: rewrite the version where it lives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.cli.render import line
from tagship.core.versions import BUMP_PARTS
from tagship.steps.bump import bump_version

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", metavar="PART|VERSION", help=f"{', '.join(BUMP_PARTS)} or X.Y.Z")
    parser.add_argument("--commit", action="store_true", help="commit the change")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the new version, change nothing"
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    result = bump_version(ctx.workspace(), args.spec, commit=args.commit, dry_run=args.dry_run)
    verb = "bumped" if result.written else "would bump"
    line(f"{verb} {result.old} -> {result.new} in {result.where}")
    if result.commit is not None:
        line(f"committed {result.commit[:12]}: Bump version to {result.new}")
    return 0
