"""Rollback option 4: yank a bad release. PyPI has no API for it (only its web UI), and the
local indexes tagship supports offer none either (pypiserver cannot yank; devpi cannot for
private indexes), so tagship records the intent, names the page where a maintainer yanks it,
then watches the simple API until every file of the version shows as yanked (PEP 592) and
records that."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from packaging.utils import (
    canonicalize_name,
)

from tagship.adapters.ledger_store import append_event, read_ledger
from tagship.core.audit import file_version
from tagship.core.errors import UsageError
from tagship.core.ledger import Event, FileEntry
from tagship.core.polling import Pending, poll
from tagship.core.progress import ignore
from tagship.core.words import plural
from tagship.steps.rollback.common import recordable

if TYPE_CHECKING:
    from collections.abc import Callable

    from packaging.version import Version

    from tagship.adapters.git import Git
    from tagship.adapters.index import IndexFile, SimpleIndex
    from tagship.core.config import IndexConfig
    from tagship.core.ledger import Record
    from tagship.core.progress import Progress
    from tagship.workspace import Workspace

EVENT = "yank"
INTENT = "intent"
OBSERVED = "observed"
_MANAGE_HOSTS = {"pypi.org": "pypi.org", "test.pypi.org": "test.pypi.org"}


def management_url(index: IndexConfig, project: str, version: Version) -> str | None:
    """The web page where a maintainer yanks the release, for PyPI and TestPyPI; None for
    indexes without one."""
    host = urlsplit(index.simple_url).hostname or ""
    site = _MANAGE_HOSTS.get(host)
    if site is None:
        return None
    return f"https://{site}/manage/project/{canonicalize_name(project)}/release/{version}/"


def version_files(index: SimpleIndex, project: str, version: Version) -> list[IndexFile]:
    page = index.project(project)
    return (
        [] if page is None else [f for f in page.files if file_version(f.filename) == str(version)]
    )


@dataclass(frozen=True)
class YankIntent:
    url: str | None  # where a human yanks it; None when the index has no such page
    files: tuple[str, ...]
    record: Record | None  # None when the same intent was already the last yank record
    already: Record | None = None  # the record of an earlier, still visible yank


@dataclass(frozen=True)
class YankObserved:
    files: tuple[str, ...]
    reasons: tuple[str, ...]  # the reasons the index shows, as given
    record: Record


def _last_yank(git: Git, project: str, version: Version, index: str) -> Record | None:
    found = None
    for record in read_ledger(git).records:
        event = record.event
        same = event.project == project and event.version == str(version) and event.index == index
        if same and event.kind == EVENT:
            found = record
    return found


def _published(git: Git, project: str, version: Version, index: str) -> dict[str, FileEntry]:
    """Files the ledger says were published: their sizes and hashes go into the record."""
    entries = {}
    for record in read_ledger(git).records:
        event = record.event
        if (event.kind, event.project, event.version, event.index) == (
            "publish",
            project,
            str(version),
            index,
        ):
            entries.update({f.name: f for f in event.files})
    return entries


def record_intent(
    workspace: Workspace, index: IndexConfig, search: SimpleIndex, version: Version, reason: str
) -> YankIntent:
    """Check the version is on the index, then record the intent to yank it."""
    git = recordable(workspace)
    files = version_files(search, workspace.name, version)
    if not files:
        raise UsageError(
            f"{workspace.name} {version} has no files on index {index.name}",
            hint="check the version and --index",
        )
    names = tuple(f.filename for f in files)
    url = management_url(index, workspace.name, version)
    last = _last_yank(git, workspace.name, version, index.name)
    if (
        last is not None
        and last.event.result == OBSERVED
        and all(f.yanked is not None for f in files)
    ):
        return YankIntent(url, names, None, already=last)
    if (
        last is not None
        and last.event.result == INTENT
        and last.event.details.get("reason") == reason
    ):
        return YankIntent(url, names, None)  # a rerun while waiting: do not repeat the intent
    details = {"reason": reason, "files": " ".join(names)}
    if url is not None:
        details["manage_url"] = url
    event = Event(
        kind=EVENT,
        project=workspace.name,
        version=str(version),
        index=index.name,
        result=INTENT,
        details=details,
    )
    return YankIntent(url, names, append_event(git, event, workspace.env))


def wait_yanked(
    workspace: Workspace,
    index: IndexConfig,
    search: SimpleIndex,
    version: Version,
    *,
    timeout: float,
    interval: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    progress: Progress = ignore,
) -> YankObserved:
    """Poll the simple API until every file of `version` shows as yanked; record that.
    PollTimeoutError (exit 3) when it does not happen within `timeout` seconds."""
    url = management_url(index, workspace.name, version)

    def probe() -> list[IndexFile] | Pending:
        files = version_files(search, workspace.name, version)
        pending = [f.filename for f in files if f.yanked is None]
        if files and not pending:
            return files
        what = (
            f"{plural(len(pending), 'file')} of {workspace.name} {version} on {index.name} "
            f"{'is' if len(pending) == 1 else 'are'} not yanked ({', '.join(pending[:3])})"
            if files
            else f"{index.name} lists no file of {workspace.name} {version} any more"
        )
        return Pending(
            what,
            hint=(f"yank it at {url}, then " if url else "")
            + "rerun tagship rollback yank to record it (the intent is recorded)",
        )

    polled = poll(
        probe, timeout=timeout, interval=interval, sleep=sleep, clock=clock, progress=progress
    )
    files = polled.value
    git = workspace.require_git()
    published = _published(git, workspace.name, version, index.name)
    reasons = tuple(sorted({f.yanked for f in files if f.yanked}))
    event = Event(
        kind=EVENT,
        project=workspace.name,
        version=str(version),
        index=index.name,
        files=tuple(published[f.filename] for f in files if f.filename in published),
        result=OBSERVED,
        details={"files": " ".join(f.filename for f in files), "reason": "; ".join(reasons)},
    )
    return YankObserved(
        tuple(f.filename for f in files), reasons, append_event(git, event, workspace.env)
    )
