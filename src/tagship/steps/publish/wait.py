"""Wait until an index shows every manifest file with the right hash (indexes lag uploads)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.core.polling import Pending, poll
from tagship.core.progress import ignore
from tagship.steps.publish.publish import conflict, index_hashes

if TYPE_CHECKING:
    from collections.abc import Callable

    from tagship.adapters.index import SimpleIndex
    from tagship.core.manifest import Manifest
    from tagship.core.progress import Progress

# indexes usually show an upload within seconds, and a slow one is not asked too often
FIRST_DELAY = 1.0
MAX_DELAY = 15.0


@dataclass(frozen=True)
class WaitResult:
    index: str
    polls: int
    seconds: float


def wait_visible(
    manifest: Manifest,
    lookup: SimpleIndex,
    index_name: str,
    *,
    timeout: float,
    interval: float = FIRST_DELAY,
    option: str = "--timeout",
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    progress: Progress = ignore,
) -> WaitResult:
    """Poll with backoff until all files are visible; exit 3 at the timeout, 4 on a mismatch.

    The pauses start at `interval` and double up to MAX_DELAY (or `interval`, if longer).
    `option` is the one that sets `timeout`, for the timeout's hint.
    """

    def probe() -> bool | Pending:
        found = index_hashes(lookup, manifest.project)
        for entry in manifest.files:
            if entry.name in found and found[entry.name] not in (None, entry.sha256):
                raise conflict(entry, found[entry.name], index_name)
        # conflicts raised above, so a listed file is the right one (or the index gives no hash)
        missing = [e.name for e in manifest.files if e.name not in found]
        if missing:
            return Pending(f"{index_name} still does not show {', '.join(missing)}")
        return True

    done = poll(
        probe,
        timeout=timeout,
        interval=interval,
        backoff=2,
        max_interval=max(MAX_DELAY, interval),
        option=option,
        sleep=sleep,
        clock=clock,
        progress=progress,
    )
    return WaitResult(index_name, done.polls, done.seconds)
