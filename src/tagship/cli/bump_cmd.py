"""`tagship bump PART|X.Y.Z [--commit] [--dry-run]`: rewrite the version wherever it is."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from tagship.cli.json_fields import bumped
from tagship.cli.next_step import next_step
from tagship.cli.notes_cmd import github_client
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line, note_line
from tagship.core.versions import BUMP_PARTS, tag_for
from tagship.steps.notes.docs_links import Rewrite, unified_diff
from tagship.steps.versions.bump import bump_version
from tagship.steps.versions.version_files import repository_top

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from packaging.version import Version

    from tagship.cli.context import Context
    from tagship.core.notes import ReleaseNotes
    from tagship.workspace import Workspace


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", metavar="PART|VERSION", help=f"{', '.join(BUMP_PARTS)} or X.Y.Z")
    parser.add_argument("--commit", action="store_true", help="commit the changed files")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the diff of every file, change nothing"
    )
    parser.add_argument(
        "--changelog",
        action="store_true",
        help="also insert the release's section into the changelog (or run towncrier/scriv): "
        "the pull requests from GitHub with a token, else from local merge commits",
    )
    parser.add_argument(
        "--index",
        default="pypi",
        help="refuse a version already on this index (default pypi), or tagged here or on "
        "origin; with TAGSHIP_OFFLINE set, only the local tags are asked",
    )
    add_format(parser)


def _notes(ctx: Context, workspace: Workspace) -> Callable[[], ReleaseNotes]:
    def collect() -> ReleaseNotes:
        from tagship.steps.notes import release_notes  # noqa: PLC0415

        if ctx.ci.token is None:
            return release_notes.local_notes(workspace)
        return release_notes.github_notes(workspace, github_client(ctx, workspace))

    return collect


def _offline(ctx: Context) -> bool:
    from tagship.ci.github.workflows.install_tagship import OFFLINE  # noqa: PLC0415

    return bool(ctx.env.get(OFFLINE))


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.adapters.http import Http, policy_from_env  # noqa: PLC0415
    from tagship.steps.gates.version_new import require_new_version  # noqa: PLC0415

    workspace = ctx.workspace()
    index = workspace.config.index(args.index)
    offline = _offline(ctx)
    notes = _notes(ctx, workspace) if args.changelog else None
    with Http(policy_from_env(ctx.env)) as http:

        def refuse_taken(version: Version) -> None:
            asked = None if offline else (index, http)
            tag = tag_for(version, workspace.config.tag_format)
            require_new_version(workspace, version, tag, origin=not offline, index=asked)

        result = bump_version(
            workspace,
            args.spec,
            commit=args.commit,
            dry_run=args.dry_run,
            notes=notes,
            refuse_taken=refuse_taken,
        )
    emit_json(bumped(result))
    verb = "bumped" if result.written else "would bump"
    line(f"{verb} {result.old} -> {result.new} in {result.where}")
    for edit in result.edits[1:]:
        # a stale copy says what it held; a changelog section holds only the new version
        stale = edit.old not in (result.old, result.new)
        line(f"  and {edit.what}" + (f" (was {edit.old})" if stale else ""))
    for note in result.notes:
        note_line(note)
    if offline:
        note_line(f"only local tags were asked whether {result.new} is taken (TAGSHIP_OFFLINE)")
    for copy in result.copies:  # a warning: bump changes what it knows, and names the rest
        line(
            f"warning: also holds the old version {result.old}, not changed: "
            f"{copy.path}:{copy.line} (add it to version-files to bump it)"
        )
    if result.changelog is not None:
        line(result.changelog.describe(planned=not result.written))
    if args.dry_run:
        rewrites = [Rewrite(e.path, e.before, e.after) for e in result.edits]
        # from the repository's top: a uv workspace member's lock is above its directory
        sys.stdout.write(unified_diff(rewrites, repository_top(workspace)))
    if result.commit is not None:
        line(f"committed {result.commit[:12]}: Bump version to {result.new}")
    next_step(_then(args, result.new, committed=result.commit is not None))
    return 0


def _then(args: argparse.Namespace, new: str, *, committed: bool) -> str:
    """After a plan, the same bump for real; after a bump, its commit; then the dry run."""
    if args.dry_run:
        flags = " --commit" * args.commit + " --changelog" * args.changelog
        return f"tagship bump {args.spec}{flags}: make the change"
    if not committed:
        return f"commit the changed files, then tagship dry-run: the test release of {new}"
    return f"tagship dry-run: the test release of {new}"
