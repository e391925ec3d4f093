"""The releases as rows: each version's state on every index and on the GitHub Release,
from the ledger's records and the drift `watch` found. Pure: records in, values out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tagship.core.drift import GITHUB
from tagship.core.names import normalized_name
from tagship.steps.report.wording import (
    Tone,
    actor,
    describe,
    index_title,
    label,
    tone,
    where,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from tagship.core.drift import Drift
    from tagship.core.ledger import Event, Record


@dataclass(frozen=True)
class Cell:
    """A version's state in one column: a word or two, its tone, the time of the record
    that set it, what else the records say, a link (an http(s) URL only), and the drift
    `watch` found there."""

    status: str
    tone: Tone
    time: str | None = None
    notes: tuple[str, ...] = ()
    link: str | None = None
    drift: tuple[str, ...] = ()


EMPTY = Cell("not published", "none")


@dataclass(frozen=True)
class Column:
    """An index (its name as `key`) or the GitHub Release (GITHUB)."""

    key: str
    title: str


@dataclass(frozen=True)
class Mark:
    """A badge on a version's row: a hotfix, a rollback, drift."""

    label: str
    tone: Tone
    detail: str


@dataclass(frozen=True)
class Row:
    """One version of one project across the columns, newest record's number `latest`."""

    project: str
    version: str
    tag: str | None  # the tag a `tag` record made, and when
    tagged: str | None
    cells: tuple[Cell, ...]
    marks: tuple[Mark, ...]
    latest: int


@dataclass(frozen=True)
class Entry:
    """One record on the timeline."""

    seq: int
    time: str
    project: str
    version: str
    label: str
    where: str
    tone: Tone
    text: str
    actor: str


@dataclass(frozen=True)
class Report:
    """The whole picture: columns, rows (newest first), the timeline (newest first), every
    drift finding, and the ledger head the records end at."""

    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    entries: tuple[Entry, ...]
    drift: tuple[Drift, ...] = ()
    head: str | None = None
    projects: tuple[str, ...] = ()

    @property
    def several(self) -> bool:
        return len(self.projects) > 1


def web_link(url: str | None) -> str | None:
    """`url` when it is an http(s) URL with a host: a `javascript:` link from a ledger is
    never a link on the page."""
    if url is None:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def _columns(records: Sequence[Record]) -> tuple[Column, ...]:
    """The test indexes (TestPyPI, and any other a dry run went to), then the production
    ones (PyPI and the rest), then GitHub: the policy's two indexes even before a release."""
    tests = [r.event.index for r in records if r.event.kind == "dry-run" and r.event.index]
    others = [r.event.index for r in records if r.event.index]
    names = list(dict.fromkeys(["testpypi", *tests, "pypi", *others]))
    indexes = tuple(Column(name, index_title(name)) for name in names)
    return (*indexes, Column(GITHUB, "GitHub Release"))


_SETS_STATE = {
    "dry-run": "dry run passed",
    "publish": "published",
    "verify-install": "verified",
    "github-release": "published",
}


_YANKS = ("yanked", "yank requested")


def _next(cell: Cell, record: Record) -> Cell:
    """The cell after `record`: a later record sets the state (a passing rerun replaces a
    failure), but nothing after a yank hides it."""
    event = record.event
    text = describe(event)
    notes = (*cell.notes, f"{label(event)}: {text}" if text else label(event))
    if event.kind == "yank":
        word = "yanked" if event.result == "observed" else "yank requested"
        return Cell(word, tone(event), record.time, notes, cell.link)
    if cell.status in _YANKS:
        return replace(cell, notes=notes)
    if tone(event) == "bad":
        return Cell(f"{label(event)} failed", "bad", record.time, notes, cell.link)
    status = _SETS_STATE.get(event.kind)
    if status is None:  # a `wait`: the state stays
        return replace(cell, notes=notes)
    return Cell(status, "good", record.time, notes, web_link(event.details.get("url")))


def _cell(key: str, records: Iterable[Record], drift: Iterable[Drift]) -> Cell:
    def here(event: Event) -> bool:
        return event.index == key if key != GITHUB else event.kind == "github-release"

    cell = EMPTY
    for record in records:
        if here(record.event):
            cell = _next(cell, record)
    return replace(cell, drift=tuple(d.message for d in drift if d.where == key))


def _marks(records: Iterable[Record], drift: Iterable[Drift], keys: set[str]) -> list[Mark]:
    marks = [
        Mark(label(r.event), tone(r.event), describe(r.event))
        for r in records
        if r.event.kind == "hotfix" or r.event.kind.startswith("rollback-")
    ]
    # drift that names no column (the project's status, say) still shows on its row
    marks += [Mark("drift", "bad", d.message) for d in drift if d.where not in keys]
    return marks


def _row(records: Sequence[Record], columns: tuple[Column, ...], drift: Sequence[Drift]) -> Row:
    first = records[0].event
    tags = [r for r in records if r.event.kind == "tag"]
    keys = {c.key for c in columns}
    return Row(
        project=first.project,
        version=first.version,
        tag=tags[-1].event.tag if tags else None,
        tagged=tags[-1].time if tags else None,
        cells=tuple(_cell(c.key, records, drift) for c in columns),
        marks=tuple(_marks(records, drift, keys)),
        latest=records[-1].seq,
    )


def _entry(record: Record) -> Entry:
    event = record.event
    return Entry(
        seq=record.seq,
        time=record.time,
        project=event.project,
        version=event.version,
        label=label(event),
        where=where(event),
        tone=tone(event),
        text=describe(event),
        actor=actor(record.actor),
    )


def build_report(records: Sequence[Record], drift: Sequence[Drift] = ()) -> Report:
    """The report of `records` (in ledger order) and of the drift `watch` found (none by
    default: `tagship watch` hands its findings in here)."""
    columns = _columns(records)
    versions: dict[tuple[str, str], list[Record]] = {}
    for record in records:
        key = (normalized_name(record.event.project), record.event.version)
        versions.setdefault(key, []).append(record)

    def concerns(found: Drift, key: tuple[str, str]) -> bool:
        return (normalized_name(found.project), found.version) == key

    rows = [
        _row(found, columns, [d for d in drift if concerns(d, key)])
        for key, found in versions.items()
    ]
    spellings: dict[str, str] = {}  # each project as its first record spells it
    for record in records:
        spellings.setdefault(normalized_name(record.event.project), record.event.project)
    return Report(
        columns=columns,
        rows=tuple(sorted(rows, key=lambda r: r.latest, reverse=True)),
        entries=tuple(_entry(r) for r in reversed(records)),
        drift=tuple(drift),
        head=records[-1].hash if records else None,
        projects=tuple(spellings.values()),
    )
