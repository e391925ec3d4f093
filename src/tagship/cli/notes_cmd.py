"""`tagship notes`: release notes from pull-request labels, and the one draft release."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tagship.ci.clients import host_client
from tagship.cli.context import in_project
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import annotate, emit_json, line
from tagship.core.errors import ConfigError, UsageError
from tagship.core.words import plural

if TYPE_CHECKING:
    import argparse

    from packaging.version import Version

    from tagship.ci.api import HostClient
    from tagship.cli.context import Context
    from tagship.core.notes import ReleaseNotes
    from tagship.steps.notes.release_notes import DraftResult
    from tagship.workspace import Workspace

PERMISSION_READ = "contents: read and pull-requests: read"
PERMISSION_DRAFT = "contents: write and pull-requests: read"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", metavar="TAG", help="start after this tag (default: the last)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the Markdown here")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--github", action="store_true", help="create or update the draft release of the next tag"
    )
    where.add_argument(
        "--local", action="store_true", help="read local merge commits instead of GitHub"
    )
    parser.add_argument(
        "--changelog",
        action="store_true",
        help="insert the release's section into CHANGELOG.md (or run towncrier/scriv)",
    )
    parser.add_argument(
        "--version",
        metavar="X.Y.Z",
        help="the version being released, for a version that comes from git tags "
        "(default: the one the labels suggest)",
    )
    add_format(parser)


def _summary(notes: ReleaseNotes, project: Version, *, chosen: bool) -> str:
    since = notes.since or "the first commit"
    count = len(notes.pulls) + len(notes.skipped)
    if chosen:
        skipped = len(notes.skipped)
        return (
            f"{plural(count, 'pull request')} since {since} ({skipped} skipped); "
            f"releasing {notes.next_version} (--version)"
        )
    if notes.next_version is None:
        return f"{plural(count, 'pull request')} since {since}; nothing to release"
    return (
        f"{plural(count, 'pull request')} since {since} ({len(notes.skipped)} skipped); "
        f"suggested next version: {notes.next_version} ({_why_next(notes, project)})"
    )


def _why_next(notes: ReleaseNotes, project: Version) -> str:
    """Why the next version is what it is: the labels' bump of the last release, or the
    project's own version when it is already past that (and nothing to bump on a first)."""
    from tagship.core.versions import bump, heading_for  # noqa: PLC0415

    part = notes.bump
    if notes.since is None and notes.next_version == heading_for(project):
        return "the first release"
    if notes.since is None:  # its version is tagged, outside this branch's history
        return f"{part} bump of {notes.current}, tagged already but not in this history"
    labelled = bump(notes.current, part) if part in ("major", "minor", "patch") else None
    if labelled not in (None, notes.next_version) and notes.next_version == heading_for(project):
        return f"the project's version; the labels ask for a {part} bump of {notes.current}"
    return f"{part} bump of {notes.current}"


def _as_json(
    notes: ReleaseNotes, next_tag: str | None, draft: DraftResult | None
) -> dict[str, Any]:
    release = draft.release if draft is not None else None
    return {
        "since": notes.since,
        "current": str(notes.current),
        "bump": notes.bump,
        "next_version": str(notes.next_version) if notes.next_version else None,
        "next_tag": next_tag,
        "sections": {
            s.kind: [{"number": p.number, "title": p.title, "author": p.author} for p in s.pulls]
            for s in notes.sections
        },
        "skipped": [p.number for p in notes.skipped],
        "problems": list(notes.problems),
        "draft": None
        if draft is None or release is None
        else {"action": draft.action, "tag": release.tag_name, "url": release.html_url},
    }


def _show_draft(draft: DraftResult) -> None:
    if draft.release is None:
        line("no draft release: nothing to release")
    else:
        line(f"{draft.action} draft release {draft.release.tag_name}: {draft.release.html_url}")
    for other in draft.other_drafts:
        line(f"warning: another draft release exists for {other}; tagship left it alone")


def _collect(
    args: argparse.Namespace, ctx: Context, workspace: Workspace
) -> tuple[ReleaseNotes, DraftResult | None]:
    from tagship.steps.notes import release_notes  # noqa: PLC0415

    if args.local:
        return _chosen(args, workspace, release_notes.local_notes(workspace, args.since)), None
    client = github_client(ctx, workspace, draft=args.github)
    notes = _chosen(args, workspace, release_notes.github_notes(workspace, client, args.since))
    if not args.github:
        return notes, None
    config = workspace.config
    return notes, release_notes.sync_draft(client, notes, config.tag_format, config.release_branch)


def _chosen(args: argparse.Namespace, workspace: Workspace, notes: ReleaseNotes) -> ReleaseNotes:
    """With --version, the release is that version (the workspace's, pinned)."""
    from tagship.core.notes import chosen_version  # noqa: PLC0415

    return notes if args.version is None else chosen_version(notes, workspace.version())


def github_client(ctx: Context, workspace: Workspace, *, draft: bool = False) -> HostClient:
    """The GitHub client of `notes` (`draft`: allowed to write the draft release). Notes
    alone need no GitHub: a missing token or repository says so."""
    try:
        return host_client(
            ctx.ci,
            workspace.config,
            command="notes --github" if draft else "notes",
            permission=PERMISSION_DRAFT if draft else PERMISSION_READ,
        )
    except ConfigError as exc:
        if draft:
            raise
        local = "or run `tagship notes --local`: the notes from this clone's merge commits"
        raise ConfigError(exc.message, hint=f"{local}; {exc.hint}" if exc.hint else local) from None


def _changelog(workspace: Workspace, notes: ReleaseNotes) -> str:
    from tagship.steps.versions.changelog import write_changelog  # noqa: PLC0415

    version = notes.next_version
    project = workspace.version()
    if version is None and project > notes.current and not project.is_devrelease:
        version = project  # bumped already (a hotfix branch): its section, even without PRs
    if version is None and workspace.meta.source.kind == "scm":
        since = notes.since or "the first commit"
        raise UsageError(
            f"no merged pull request since {since} suggests the version of the changelog's "
            f"section, and the version comes from git tags ({project})",
            hint="pass --version X.Y.Z, the version you will tag",
        )
    if version is None:
        return "nothing to release: the changelog is left as is"
    today = datetime.now(timezone.utc).date()
    return write_changelog(workspace, notes, version, today).describe()


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.core.notes import label_warnings, render_markdown  # noqa: PLC0415
    from tagship.core.versions import tag_for  # noqa: PLC0415

    workspace = ctx.workspace().releasing(args.version)
    output = None if args.output is None else in_project(workspace, args.output)
    if output is not None and not output.parent.is_dir():
        raise UsageError(f"directory {output.parent} does not exist", hint="create it first")
    notes, draft = _collect(args, ctx, workspace)
    markdown = render_markdown(notes)
    if output is not None:
        from tagship.adapters.files import write_atomic  # noqa: PLC0415

        write_atomic(output, markdown)
    changelog = _changelog(workspace, notes) if args.changelog else None
    if args.format == "json":
        next_version = notes.next_version
        next_tag = tag_for(next_version, workspace.config.tag_format) if next_version else None
        emit_json({**_as_json(notes, next_tag, draft), "changelog": changelog})
        return 0
    line(_summary(notes, workspace.version(), chosen=args.version is not None))
    for problem in label_warnings(notes, local=args.local):
        line(f"warning: {problem}")
        annotate(ctx.ci, "warning", problem, title="tagship notes")
    if output is not None:
        line(f"wrote {output}")
    if changelog is not None:
        line(changelog)
    elif output is None and not args.github:
        line("")
        line(markdown.rstrip())
    if draft is not None:
        _show_draft(draft)
    next_step(_then(workspace, notes))
    return 0


def _then(workspace: Workspace, notes: ReleaseNotes) -> str:
    """The release the notes lead to: its version written first when the labels ask another."""
    version = notes.next_version
    if version is None:
        return "nothing to release: merge a labelled pull request first"
    if version == workspace.version():
        return f"tagship dry-run: the test release of {version}"
    if workspace.meta.source.kind == "scm":  # the version comes from git tags: name it
        return f"tagship dry-run --version {version}: the test release of {version}"
    return f"tagship bump {version}: the version the labels ask for"
