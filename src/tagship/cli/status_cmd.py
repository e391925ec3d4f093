"""`tagship status`: the project's release state as a table or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.version import Version

from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, table
from tagship.core.words import plural
from tagship.steps.status import project_status

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from tagship.cli.context import Context
    from tagship.steps.package_table import PackageRow
    from tagship.steps.status import Status
    from tagship.workspace import Workspace


def configure(parser: argparse.ArgumentParser) -> None:
    add_format(parser)


def _yes_no(value: bool | None, unknown: str = "") -> str:
    return unknown if value is None else ("yes" if value else "no")


def _packages(args: argparse.Namespace, workspaces: tuple[Workspace, ...]) -> int:
    from tagship.steps.package_table import package_rows  # noqa: PLC0415 - several only

    packages = package_rows(workspaces)
    if args.format == "json":
        emit_json({"packages": [p.as_dict() for p in packages]})
        return 0
    rows = [
        (
            p.package,
            p.directory,
            p.version,
            p.last_release_tag or "(none)",
            str(p.commits_since_release),
            f"yes: {p.next_version}" if p.next_version else "no",
            "; ".join(p.requires),
        )
        for p in packages
    ]
    columns = (
        "package",
        "directory",
        "version",
        "last tag",
        "commits since",
        "release",
        "requires",
    )
    table(f"release status of {plural(len(rows), 'package')}", columns, rows)
    next_step(_next_of_several(packages))
    return 0


def _next_of_several(packages: Sequence[PackageRow]) -> str:
    """The first package with a release due: its dry run, or the bump its labels ask first."""
    due = [p for p in packages if p.next_version]
    if not due:
        return "nothing to release: no package changed since its last tag"
    first = due[0]
    if first.next_version == first.version:
        return f"tagship --package {first.package} dry-run: the test release of {first.version}"
    return f"tagship --package {first.package} bump {first.next_version}, then its dry-run"


def run(args: argparse.Namespace, ctx: Context) -> int:
    repository = ctx.repository()
    every = ctx.every_package(repository)
    if every is not None:
        return _packages(args, every)
    status = project_status(ctx.workspace(repository))
    if args.format == "json":
        emit_json(status.as_dict())
        return 0
    tree = "clean" if status.clean else f"dirty ({plural(len(status.dirty_files), 'file')})"
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
    table("release status", ("field", "value"), rows)
    next_step(_next(status))
    return 0


def _next(status: Status) -> str:
    """What the release state asks for first."""
    if not status.clean:
        return "commit or stash the changes: a release is built from a clean tree"
    if status.tag_local or status.tag_remote:
        return f"{status.expected_tag} exists: tagship bump patch (or minor, major) moves on"
    version = Version(status.version)
    if version.local is not None:  # from git tags, between two: the release is not named yet
        return "tagship dry-run --version X.Y.Z, the version you will tag"
    if version.is_devrelease:
        return (
            f"tagship bump {version.base_version}, the release it heads for; then tagship dry-run"
        )
    return f"tagship dry-run: the test release of {status.version}"
