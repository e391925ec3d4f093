"""Step 3 of the release flow: release notes from merged pull requests, and the one draft."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.ci.api import NotFoundError
from tagship.core.errors import GateError, UsageError
from tagship.core.notes import (
    MergedPull,
    ReleaseNotes,
    build_notes,
    render_markdown,
    validate_labels,
)
from tagship.core.packages import touches
from tagship.core.pull_commits import parse_pull_commit, pull_number
from tagship.core.versions import tag_for, try_version_from_tag, version_from_tag

if TYPE_CHECKING:
    from packaging.version import Version

    from tagship.ci.api import HostClient, Release
    from tagship.workspace import Workspace


def last_release_tag(workspace: Workspace, until: str = "HEAD") -> str | None:
    """The highest final-release tag reachable from `until` (pre-releases do not reset notes)."""
    tags = [(v, t) for v, t in workspace.release_tags(merged_into=until) if not v.is_prerelease]
    return tags[-1][1] if tags else None


def previous_release_tag(workspace: Workspace, version: Version) -> str | None:
    """The highest final-release tag below `version` (for a hotfix: its own line's last)."""
    below = [t for v, t in workspace.release_tags() if v < version and not v.is_prerelease]
    return below[-1] if below else None


def _since(workspace: Workspace, since: str | None) -> tuple[str | None, Version, bool]:
    """The tag the notes start after, the version it released, and whether that version is
    tagged already: with no release tag in the history, the project's version is the first
    release, unless its tag is elsewhere (a release branch never merged back)."""
    tag_format = workspace.config.tag_format
    if since is None:
        since = last_release_tag(workspace)
        if since is None:
            version = workspace.version()
            tagged = workspace.git is not None and (
                workspace.git.tag_target(tag_for(version, tag_format)) is not None
            )
            return None, version, tagged
    return since, version_from_tag(since, tag_format), True


def local_notes(workspace: Workspace, since: str | None = None) -> ReleaseNotes:
    """Notes from local history: GitHub merge commits and squash merges (`Title (#N)`), with
    their `Release-Label:` trailers (history holds no other labels)."""
    git = workspace.require_git()
    validate_labels(workspace.config.release_labels)
    since, current, released = _since(workspace, since)
    if since is not None and git.tag_target(since) is None:
        raise UsageError(
            f"tag {since} does not exist here", hint="git fetch --tags, or fix --since"
        )
    pulls = [
        pull
        for c in git.commit_log(since, paths=workspace.pathspecs)
        if (pull := parse_pull_commit(c.subject, c.body, c.author_email)) is not None
    ]
    return build_notes(
        pulls,
        workspace.config.release_labels,
        current=current,
        since=since,
        project_version=workspace.version(),
        released=released,
    )


def github_pulls(client: HostClient, base: str, head: str) -> list[MergedPull]:
    """Merged pull requests of the commits in base...head, each once: those GitHub associates
    with each commit, else the one its message names (a squash merge's `(#N)`, a merge
    commit's `#N`), which GitHub does not associate with a cherry-pick or a mirrored commit."""
    commits = client.compare(base, head)
    if commits is None:
        raise UsageError(
            f"{client.title} cannot compare {base}...{head} in {client.full_name}",
            hint=f"push the tag and branch (git push origin {base} {head}), or fix --since",
        )
    pulls: dict[int, MergedPull] = {}
    for commit in commits:
        found = client.merged_pulls_of(commit.sha)
        named = pull_number(commit.message) if not found else None
        if named is not None and named not in pulls:
            found = [p for p in (client.merged_pull(named),) if p is not None]
        for pull in found:
            pulls.setdefault(pull.number, pull)
    return list(pulls.values())


def _own_pulls(
    workspace: Workspace, client: HostClient, pulls: list[MergedPull]
) -> list[MergedPull]:
    """In a repository of several packages, the pull requests that changed this one's files."""
    if not workspace.paths:
        return pulls
    top = workspace.require_git().root.resolve()
    within = [p.resolve().relative_to(top).as_posix() for p in workspace.paths]
    excluded = [p.resolve().relative_to(top).as_posix() for p in workspace.excluded]
    return [p for p in pulls if touches(client.pull_files(p.number), within, excluded)]


def github_notes(
    workspace: Workspace, client: HostClient, since: str | None = None, head: str | None = None
) -> ReleaseNotes:
    """Notes from the pull requests GitHub associates with the commits since the tag."""
    validate_labels(workspace.config.release_labels)
    head = head or workspace.config.release_branch
    since, current, released = _since(workspace, since)
    base = since if since is not None else workspace.require_git().root_commit()
    return build_notes(
        _own_pulls(workspace, client, github_pulls(client, base, head)),
        workspace.config.release_labels,
        current=current,
        since=since,
        project_version=workspace.version(),
        released=released,
    )


@dataclass(frozen=True)
class DraftResult:
    """What `notes --github` did to the draft release."""

    action: str  # "created", "updated" or "none"
    release: Release | None
    other_drafts: tuple[str, ...] = ()  # drafts of other tags tagship left alone


def _candidate_drafts(releases: list[Release], tag_format: str, after: Version) -> list[Release]:
    drafts = []
    for release in releases:
        version = try_version_from_tag(release.tag_name, tag_format)
        if release.draft and version is not None and version > after:
            drafts.append(release)
    return drafts


def sync_draft(
    client: HostClient, notes: ReleaseNotes, tag_format: str, target: str
) -> DraftResult:
    """Create or update THE draft release of the next version (never a second draft).

    Drafts are found by listing releases: GitHub's tag lookup does not return drafts. A draft
    of an earlier guess (v1.3.0 before a breaking change made it v2.0.0) is retargeted.
    """
    if notes.next_version is None:
        return DraftResult("none", None)
    tag = tag_for(notes.next_version, tag_format)
    body = render_markdown(notes, footer=_footer(notes, tag))
    for _ in range(2):  # a second round only when the draft was deleted meanwhile
        releases = client.releases()
        if any(r.tag_name == tag and not r.draft for r in releases):
            raise GateError(
                f"release {tag} is already published on {client.title}",
                hint="the last release tag is missing here: git fetch --tags",
            )
        drafts = _candidate_drafts(releases, tag_format, notes.current)
        drafts.sort(key=lambda r: (r.tag_name == tag, r.id), reverse=True)
        others = tuple(r.tag_name for r in drafts[1:])
        if not drafts:
            try:
                created = client.create_release(tag, tag, body, target=target)
            except NotFoundError as exc:
                if "used by an immutable release" not in str(exc):
                    raise
                raise GateError(
                    f"{tag} was the tag of an immutable release (deleted since): GitHub "
                    "never takes that tag name again",
                    hint="bump to the next version (tagship bump patch), then rerun",
                ) from None
            return DraftResult("created", created, others)
        updated = client.update_release(
            drafts[0].id, f"updating the draft release {tag}", tag_name=tag, name=tag, body=body
        )
        if updated is not None:
            return DraftResult("updated", updated, others)
    raise GateError(
        f"the draft release for {tag} keeps disappearing while tagship updates it",
        hint="is another job deleting drafts? rerun tagship notes --github",
    )


def _footer(notes: ReleaseNotes, tag: str) -> list[str]:
    if notes.since is None:
        return []
    return [f"**Full changelog**: {notes.since}...{tag}"]
