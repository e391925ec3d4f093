"""Release notes from pull-request labels, and the next version they call for (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from packaging.version import Version

from tagship.core.errors import ConfigError, GateError, UsageError
from tagship.core.versions import BumpPart, bump, heading_for

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

SKIP = "skip"
UNLABELLED = "unlabelled"
# the bump of each label kind, highest first; a label's kind is its last `:`/`/` segment
_KINDS: tuple[BumpPart, ...] = ("major", "minor", "patch")
# labels that make the release a pre-release (with a major/minor/patch label: of that bump,
# `release:minor` + `release:rc` -> 1.3.0rc1) or a post/dev release, highest first
_PHASES: tuple[BumpPart, ...] = ("rc", "beta", "alpha", "post", "dev")
_PRE = {"alpha": "a", "beta": "b", "rc": "rc"}
_TITLES = {
    "major": "Breaking changes",
    "minor": "New features",
    "patch": "Fixes and maintenance",
    **dict.fromkeys(("alpha", "beta", "rc"), "Pre-release changes"),
    "post": "Post-release fixes",
    "dev": "Development changes",
    UNLABELLED: "Without a release label",
}
_MERGE_SUBJECT = re.compile(r"Merge pull request #(?P<number>\d+) from (?P<owner>[^/\s]+)/\S+")
_TRAILER = re.compile(r"^Release-Label:\s*(?P<label>\S+)\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class MergedPull:
    """A merged pull request as the notes need it."""

    number: int
    title: str
    author: str
    labels: tuple[str, ...] = ()
    url: str = ""


@dataclass(frozen=True)
class Section:
    kind: str
    title: str
    pulls: tuple[MergedPull, ...]


@dataclass(frozen=True)
class ReleaseNotes:
    """Merged pull requests grouped by release label, and the suggested next version."""

    since: str | None
    current: Version
    bump: BumpPart | None  # None: nothing to release (no pull requests, or all skipped)
    next_version: Version | None
    sections: tuple[Section, ...]
    skipped: tuple[MergedPull, ...]
    problems: tuple[str, ...]  # pull requests without exactly one release label

    @property
    def pulls(self) -> tuple[MergedPull, ...]:
        return tuple(p for s in self.sections for p in s.pulls)


def label_kind(label: str) -> str | None:
    """`release:minor` -> `minor`; None for a label that is not a release label."""
    kind = re.split(r"[:/]", label)[-1].strip().lower()
    return kind if kind in (*_KINDS, *_PHASES, SKIP) else None


def validate_labels(configured: Sequence[str]) -> None:
    """Each configured release label must end in a bump part (major, minor, patch, alpha,
    beta, rc, post, dev) or skip."""
    for label in configured:
        if label_kind(label) is None:
            raise ConfigError(
                f"release label {label!r} does not end in major, minor, patch, alpha, beta, "
                "rc, post, dev or skip",
                hint='e.g. release-labels = ["release:major", "release:minor", ...]',
            )


def release_labels_of(labels: Iterable[str], configured: Sequence[str]) -> tuple[str, ...]:
    """The configured release labels among `labels`, in configured order."""
    present = set(labels)
    return tuple(label for label in configured if label in present)


def require_one_label(number: int, labels: Sequence[str], configured: Sequence[str]) -> str:
    """The one release label of a pull request; GateError naming what was found otherwise."""
    found = release_labels_of(labels, configured)
    if len(found) == 1:
        return found[0]
    choices = ", ".join(configured)
    if not found:
        others = ", ".join(labels) if labels else "none"
        raise GateError(
            f"pull request #{number} has no release label (its labels: {others})",
            hint=f"add exactly one of {choices}",
        )
    raise GateError(
        f"pull request #{number} has {len(found)} release labels: {', '.join(found)}",
        hint=f"keep exactly one of {choices}",
    )


def _no_label(number: int) -> str:
    return f"#{number} has no release label"


def _kind_of(pull: MergedPull, configured: Sequence[str], problems: list[str]) -> str:
    found = release_labels_of(pull.labels, configured)
    kinds = [k for k in (label_kind(label) for label in found) if k is not None]
    if not kinds:
        problems.append(_no_label(pull.number))
        return UNLABELLED
    if len(kinds) > 1:
        problems.append(f"#{pull.number} has {len(kinds)} release labels: {', '.join(found)}")
    # with several labels the highest bump wins: a release never under-bumps
    for kind in (*_KINDS, *_PHASES, SKIP):
        if kind in kinds:
            return kind
    return UNLABELLED  # pragma: no cover - kinds only holds known kinds


def build_notes(
    pulls: Iterable[MergedPull],
    configured: Sequence[str],
    *,
    current: Version,
    since: str | None,
    project_version: Version | None = None,
    released: bool = False,
) -> ReleaseNotes:
    """Group pull requests by label; the next version bumps `current` by the highest label.

    Unlabelled pull requests count as a patch: a merged change is never released unnoticed.
    When the project's version was already bumped past that, the project's version wins; with
    no release before (`since` None), the project's version is the first release, unless it
    is `released` already (tagged outside the history read): then it is bumped.
    """
    problems: list[str] = []
    grouped: dict[str, list[MergedPull]] = {}
    seen: set[int] = set()
    for pull in sorted(pulls, key=lambda p: p.number):
        if pull.number in seen:
            continue
        seen.add(pull.number)
        grouped.setdefault(_kind_of(pull, configured, problems), []).append(pull)
    part = next((kind for kind in _KINDS if grouped.get(kind)), None)
    if part is None and grouped.get(UNLABELLED):
        part = "patch"
    phase = next((kind for kind in _PHASES if grouped.get(kind)), None)
    next_version = None
    first = (
        since is None
        and not released
        and project_version is not None
        and not project_version.is_devrelease
    )
    if (part or phase) is not None and first:
        # no release before: the project's version is the first one, nothing to bump from
        next_version = project_version
    elif part is not None:
        next_version = bump(current, part)
        if phase in _PRE:  # a pre-release of that bump
            next_version = Version(f"{next_version}{_PRE[phase]}1")
    elif phase is not None:
        next_version = bump(current, phase)
    if next_version is not None and project_version is not None:
        # a dev version (between tags of a version from git tags, or 1.3.0.dev0 in a file) is
        # the work towards its release: that release, never the dev version, is suggested
        next_version = max(next_version, heading_for(project_version))
    sections = tuple(
        Section(kind, _TITLES[kind], tuple(grouped[kind]))
        for kind in (*_KINDS, *_PHASES, UNLABELLED)
        if grouped.get(kind)
    )
    return ReleaseNotes(
        since,
        current,
        part or phase,
        next_version,
        sections,
        tuple(grouped.get(SKIP, ())),
        tuple(problems),
    )


def chosen_version(notes: ReleaseNotes, version: Version) -> ReleaseNotes:
    """The notes of the release of `version`, which the maintainer chose (a version from git
    tags has no file to bump); a higher version the labels call for becomes a warning."""
    if notes.since is not None and version <= notes.current:
        raise UsageError(
            f"--version {version} is not above the last release {notes.since}",
            hint=f"pass a version above {notes.current}",
        )
    problems = notes.problems
    if notes.next_version is not None and notes.next_version > version:
        called = f"{notes.next_version} ({notes.bump} bump of {notes.current})"
        problems += (f"the labels call for {called}; --version says {version}",)
    return replace(notes, next_version=version, problems=problems)


def label_warnings(notes: ReleaseNotes, *, local: bool) -> list[str]:
    """The notes' problems as warnings. Read from local history, which carries no labels
    (only an occasional `Release-Label:` trailer), the unlabelled pull requests are one line."""
    unlabelled = [p.number for s in notes.sections if s.kind == UNLABELLED for p in s.pulls]
    if not local or not unlabelled:
        return list(notes.problems)
    own = {_no_label(number) for number in unlabelled}
    count = "1 pull request is" if len(unlabelled) == 1 else f"{len(unlabelled)} pull requests are"
    said = (
        f"local history carries no pull-request labels: {count} listed as unlabelled "
        "(a Release-Label: trailer in a commit labels one; without --local, notes reads the "
        "labels on GitHub)"
    )
    return [*(p for p in notes.problems if p not in own), said]


def pull_line(pull: MergedPull) -> str:
    """A pull request's entry in the notes (its author only when known: local history may
    not name a GitHub account)."""
    return f"- {pull.title} (#{pull.number})" + (f" @{pull.author}" if pull.author else "")


def render_markdown(notes: ReleaseNotes, *, footer: Sequence[str] = ()) -> str:
    """The notes as the Markdown body of a GitHub Release."""
    out: list[str] = []
    for section in notes.sections:
        out.append(f"## {section.title}\n")
        out.extend(pull_line(p) for p in section.pulls)
        out.append("")
    if not notes.sections:
        out.append("No user-facing changes.\n")
    out.extend(footer)
    return "\n".join(out).rstrip() + "\n"


def parse_merge_commit(subject: str, body: str) -> MergedPull | None:
    """A pull request from a GitHub merge commit (`Merge pull request #N from owner/branch`,
    the PR title as the body's first line, `Release-Label:` trailers); None for other commits."""
    match = _MERGE_SUBJECT.fullmatch(subject.strip())
    if match is None:
        return None
    labels = label_trailers(body)
    lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
    title = next((ln for ln in lines if _TRAILER.fullmatch(ln) is None), subject.strip())
    return MergedPull(int(match["number"]), title, match["owner"], labels)


def label_trailers(body: str) -> tuple[str, ...]:
    """The `Release-Label:` trailers of a commit message's body: local history's labels."""
    return tuple(m["label"] for m in _TRAILER.finditer(body))
