"""What a ledger record says to a reader of the report: its label, a short description,
who made it, and the tone of its badge."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from tagship.core.words import plural

if TYPE_CHECKING:
    from tagship.core.ledger import Actor, Event

Tone = Literal["good", "warn", "bad", "none"]

_LABELS = {
    "dry-run": "dry run",
    "verify-install": "verify install",
    "github-release": "GitHub Release",
    "rollback-revert": "rollback: revert",
    "rollback-cloud-run": "rollback: Cloud Run",
    "rollback-migration": "rollback: migration",
    "rollback-patch": "rollback: patch",
}
_TITLES = {"testpypi": "TestPyPI", "pypi": "PyPI"}


def label(event: Event) -> str:
    """The record's kind as a reader says it."""
    if event.kind == "publish" and "promoted-from" in event.details:
        return "promote"
    return _LABELS.get(event.kind, event.kind.replace("-", " "))


def index_title(name: str) -> str:
    """An index's name as the page shows it: PyPI's own spelling for the two it runs."""
    return _TITLES.get(name, name)


def tone(event: Event) -> Tone:
    """A failure is bad; a yank, a rollback or a hotfix is a warning; the rest is good."""
    if event.result not in ("ok", "intent", "observed"):
        return "bad"
    if event.kind == "yank":
        return "bad" if event.result == "observed" else "warn"
    if event.kind.startswith("rollback-") or event.kind == "hotfix":
        return "warn"
    return "good"


def where(event: Event) -> str:
    """Where it happened: the index, the GitHub Release, or the git repository."""
    if event.index:
        return index_title(event.index)
    return "GitHub" if event.kind == "github-release" else "git"


def actor(who: Actor) -> str:
    """The CI run or the person (and machine) behind a record."""
    if who.is_ci:
        return f"CI {who.repository or '?'} {who.workflow or '?'} run {who.run_id or '?'}"
    return f"local {who.user or '?'}@{who.host or '?'}"


def describe(event: Event) -> str:
    """One line on what the record holds beyond its kind and where."""
    details = event.details
    parts = [plural(len(event.files), "file")] if event.files else []
    if event.result not in ("ok", "intent", "observed"):
        parts.append(event.result)
    if "promoted-from" in details:
        parts.append(f"the files of dry run record #{details['promoted-from']}")
        parts.append(f"rebuild check: {details.get('rebuild-check', 'not run')}")
    if event.kind == "yank":
        requested = "requested" if event.result == "intent" else "seen on the index"
        parts.append(f"yank {requested}: {details.get('reason') or 'no reason given'}")
    elif event.kind == "hotfix":
        parts.append(f"{details.get('action', '?')} of a fix for {details.get('fixes', '?')}")
        if "branch" in details:
            parts.append(f"branch {details['branch']}")
    elif event.kind == "rollback-revert":
        commits = " ".join(sha[:12] for sha in details.get("reverted", "?").split())
        parts.append(f"reverted {commits} on {details.get('branch', '?')}")
    elif event.kind == "rollback-cloud-run":
        parts.append(f"{details.get('service', '?')} to revision {details.get('revision', '?')}")
    elif event.kind == "rollback-migration":
        parts.append(f"database {details.get('from', '?')} -> {details.get('to', '?')}")
    elif event.kind == "tag" and event.tag:
        parts.append(f"tag {event.tag}")
    return "; ".join(parts)


def moment(time: str) -> str:
    """A record's UTC time to the minute: `2026-12-07 20:28`."""
    return f"{time[:10]} {time[11:16]}"
