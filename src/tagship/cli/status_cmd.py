"""`tagship status`: the project's release state as a table or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.cli.render import emit_json, table
from tagship.steps.status import project_status

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def _yes_no(value: bool | None, unknown: str = "") -> str:
    return unknown if value is None else ("yes" if value else "no")


def run(args: argparse.Namespace, ctx: Context) -> int:
    status = project_status(ctx.workspace())
    if args.format == "json":
        emit_json(status.as_dict())
        return 0
    tree = "clean" if status.clean else f"dirty ({len(status.dirty_files)} files)"
    rows = [
        ("project", status.project),
        ("version", f"{status.version} ({status.version_source})"),
        ("expected tag", status.expected_tag),
        ("tag exists locally", _yes_no(status.tag_local)),
        ("tag on origin", _yes_no(status.tag_remote, status.remote_problem or "")),
        ("branch", status.branch or "(detached HEAD)"),
        ("work tree", tree),
        ("last release tag", status.last_release_tag or "(none)"),
        ("commits since release", str(status.commits_since_release)),
    ]
    table("release status", ("", "value"), rows)
    return 0
