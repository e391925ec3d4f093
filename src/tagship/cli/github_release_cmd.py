"""`tagship github-release publish TAG`: publish the reviewed draft release (step 8)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.context import in_project
from tagship.cli.flow_render import one_step
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line
from tagship.core.words import plural

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context

DEFAULT_MANIFEST = Path("dist") / "tagship-manifest.json"


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    publish = actions.add_parser(
        "publish", help="refresh the notes, attach every asset to the draft, then publish it"
    )
    publish.add_argument("tag", metavar="TAG")
    publish.add_argument(
        "--manifest",
        type=Path,
        default=DEFAULT_MANIFEST,
        metavar="FILE",
        help=f"attached when it exists (default: {DEFAULT_MANIFEST} in the project)",
    )
    publish.add_argument(
        "--index",
        default="pypi",
        metavar="NAME",
        help="the index whose PEP 740 attestations are attached (default: pypi)",
    )
    add_format(publish)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.core.release_plan import GITHUB_RELEASE  # noqa: PLC0415
    from tagship.steps.notes.github_release import (  # noqa: PLC0415 - heavy import
        release_on_github,
        released_summary,
    )

    workspace = ctx.workspace()
    manifest = in_project(workspace, args.manifest)
    index = workspace.config.index(args.index)
    result = one_step(
        GITHUB_RELEASE,
        lambda: release_on_github(workspace, args.tag, manifest, index),
        released_summary,
    )
    release = result.release
    emit_json(
        {
            "action": "publish",
            "tag": release.tag_name,
            "url": release.html_url,
            "already": result.already,
            "latest": result.latest,
            "manifest_uploaded": result.manifest_uploaded,
            "immutable": release.immutable,
            "assets": [
                {"name": a.name, "digest": a.digest, "action": a.action} for a in result.attached
            ],
            "missing": list(result.missing),
        }
    )
    if result.already:
        line(f"release {release.tag_name} was already published: {release.html_url}")
        if result.missing:
            line(f"it lacks {', '.join(result.missing)}: a published release takes no asset")
        next_step(f"tagship docs-links {release.tag_name}: point the docs at the release")
        return 0
    attached = f", attached {manifest.name}" if result.manifest_uploaded else ""
    others = len(result.attached) - result.manifest_uploaded
    attached += f" and {plural(others, 'more asset')}" if others > 0 else ""
    latest = "latest" if result.latest else "not latest"
    line(f"published release {release.tag_name} ({latest}{attached}): {release.html_url}")
    next_step(f"tagship docs-links {release.tag_name}: point the docs at the release")
    return 0
