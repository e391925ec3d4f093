"""Records a job makes and a later job appends: the job that publishes (it holds the OIDC
token) and the job that installs third-party code hold no token that may write the
repository, so they write their ledger events here, and the record job appends them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tagship.core.errors import IntegrityError, UsageError
from tagship.core.ledger import RecordError, canonical, event_dict, event_from_dict

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.core.ledger import Event

SUFFIX = ".jsonl"
MAX_BYTES = 4 * 1024 * 1024  # events are small; a huge outbox is not one tagship wrote


def write_outbox(path: Path, event: Event) -> None:
    """Add `event` to the outbox file `path` (one canonical JSON event per line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as handle:
        handle.write(canonical(event_dict(event)) + b"\n")


def read_outboxes(folder: Path) -> list[Event]:
    """The events of every outbox file in `folder`, file by file in name order; none when
    there is no such directory (the jobs before recorded nothing: they failed first)."""
    if not folder.exists():
        return []
    if not folder.is_dir():
        raise UsageError(
            f"{folder} is not a directory", hint="pass the directory the jobs' outboxes are in"
        )
    events: list[Event] = []
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        try:
            if path.stat().st_size > MAX_BYTES:
                raise IntegrityError(f"{path} is larger than any outbox tagship writes")
            lines = path.read_bytes().splitlines()
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
        events.extend(_event(path, number, line) for number, line in enumerate(lines, start=1))
    return events


def _event(path: Path, number: int, line: bytes) -> Event:
    try:
        return event_from_dict(json.loads(line))
    except (ValueError, RecursionError, RecordError) as exc:
        raise IntegrityError(
            f"{path}:{number} is not an event tagship wrote: {exc}",
            hint="nothing was recorded; rerun the jobs that wrote it",
        ) from exc


def clear_outboxes(folder: Path) -> None:
    """Remove the outbox files once their events are in the ledger: a rerun appends nothing
    twice, and no file of tagship's is left in the work tree."""
    for path in folder.glob(f"*{SUFFIX}"):
        path.unlink(missing_ok=True)
