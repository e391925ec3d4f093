"""`tagship bump PART|X.Y.Z [--commit] [--dry-run]`: rewrite the version wherever it is."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from tagship.cli.render import line
from tagship.core.versions import BUMP_PARTS
from tagship.steps.bump import bump_version
from tagship.steps.docs_links import Rewrite, unified_diff

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", metavar="PART|VERSION", help=f"{', '.join(BUMP_PARTS)} or X.Y.Z")
    parser.add_argument("--commit", action="store_true", help="commit the changed files")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the diff of every file, change nothing"
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    workspace = ctx.workspace()
    result = bump_version(workspace, args.spec, commit=args.commit, dry_run=args.dry_run)
    verb = "bumped" if result.written else "would bump"
    line(f"{verb} {result.old} -> {result.new} in {result.where}")
    for edit in result.edits[1:]:
        line(f"  and {edit.what}" + (f" (was {edit.old})" if edit.old != result.old else ""))
    for note in result.notes:
        line(f"note: {note}")
    if args.dry_run:
        rewrites = [Rewrite(e.path, e.before, e.after) for e in result.edits]
        sys.stdout.write(unified_diff(rewrites, workspace.root))
    if result.commit is not None:
        line(f"committed {result.commit[:12]}: Bump version to {result.new}")
    return 0
