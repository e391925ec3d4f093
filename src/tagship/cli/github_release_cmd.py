"""`tagship github-release publish TAG`: publish the reviewed draft release (step 8)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.render import line

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context

DEFAULT_MANIFEST = Path("dist") / "tagship-manifest.json"


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    publish = actions.add_parser("publish", help="refresh, attach the manifest, publish")
    publish.add_argument("tag", metavar="TAG")
    publish.add_argument(
        "--manifest",
        type=Path,
        metavar="FILE",
        help=f"attached when it exists (default: {DEFAULT_MANIFEST} in the project)",
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.adapters.github import GitHubClient  # noqa: PLC0415 - heavy import
    from tagship.adapters.ledger_store import ledger_head  # noqa: PLC0415
    from tagship.flows.record import record_tag_event  # noqa: PLC0415
    from tagship.steps.github_release import publish_release  # noqa: PLC0415

    workspace = ctx.workspace()
    client = GitHubClient.from_env(
        ctx.env,
        workspace.config,
        command="github-release publish",
        permission="contents: write and pull-requests: read",
    )
    manifest = args.manifest if args.manifest is not None else workspace.root / DEFAULT_MANIFEST
    head = ledger_head(workspace.git) if workspace.git is not None else None
    result = publish_release(workspace, client, args.tag, manifest=manifest, ledger_head=head)
    release = result.release
    if workspace.git is not None and not result.already:
        record_tag_event(workspace, "github-release", args.tag, details={"url": release.html_url})
    if result.already:
        line(f"release {release.tag_name} was already published: {release.html_url}")
        return 0
    attached = f", attached {manifest.name}" if result.manifest_uploaded else ""
    latest = "latest" if result.latest else "not latest"
    line(f"published release {release.tag_name} ({latest}{attached}): {release.html_url}")
    return 0
