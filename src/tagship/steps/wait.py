"""Wait until an index shows every manifest file with the right hash (indexes lag uploads)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.core.errors import ServiceError
from tagship.steps.publish import conflict, index_hashes

if TYPE_CHECKING:
    from collections.abc import Callable

    from tagship.adapters.index import SimpleIndex
    from tagship.core.manifest import Manifest

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
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> WaitResult:
    """Poll with backoff until all files are visible; exit 3 at the timeout, 4 on a mismatch."""
    start = clock()
    delay, polls = 1.0, 0
    while True:
        polls += 1
        found = index_hashes(lookup, manifest.project)
        for entry in manifest.files:
            if entry.name in found and found[entry.name] not in (None, entry.sha256):
                raise conflict(entry, found[entry.name], index_name)
        # conflicts raised above, so a listed file is the right one (or the index gives no hash)
        missing = [e.name for e in manifest.files if e.name not in found]
        if not missing:
            return WaitResult(index_name, polls, clock() - start)
        remaining = timeout - (clock() - start)
        if remaining <= 0:
            raise ServiceError(
                f"{index_name} still does not show {', '.join(missing)} after {timeout:g} s",
                hint="the index may be slow: rerun tagship wait with a longer --timeout",
            )
        sleep(min(delay, remaining))
        delay = min(delay * 2, MAX_DELAY)
