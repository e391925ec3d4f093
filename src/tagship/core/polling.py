"""The one polling loop behind every wait (index, yank, checks, workflow run).

Pure: the caller's probe does the looking, and sleep and clock are parameters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from tagship.core.durations import seconds
from tagship.core.errors import ServiceError, UsageError
from tagship.core.progress import Waiting, ignore
from tagship.core.words import plural

if TYPE_CHECKING:
    from collections.abc import Callable

    from tagship.core.progress import Progress

T = TypeVar("T")


@dataclass(frozen=True)
class Pending:
    """A probe's answer while the wait goes on.

    `what` says what is still missing, as a clause ("testpypi does not show x.whl yet");
    `hint` what a person may do about it, for the timeout message.
    """

    what: str
    hint: str | None = None


@dataclass(frozen=True)
class Polled(Generic[T]):
    """What the probe found, after how many polls and seconds."""

    value: T
    polls: int
    seconds: float


class PollTimeoutError(ServiceError):
    """A wait ran out of time: the service did not reach the state in time (exit 3)."""


def poll(
    probe: Callable[[], T | Pending],
    *,
    timeout: float,
    interval: float,
    backoff: float = 1.0,
    max_interval: float | None = None,
    option: str = "--timeout",
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    progress: Progress = ignore,
) -> Polled[T]:
    """Call `probe` until it returns something other than `Pending`, sleeping in between.

    It probes at least once (a timeout of 0 looks once) and never sleeps past the deadline.
    The sleeps start at `interval` seconds and are multiplied by `backoff` after each poll, up
    to `max_interval`. PollTimeoutError when the probe is still pending after `timeout` seconds;
    its message names what is pending, its hint the `option` that raises the timeout.
    `progress` hears what is still pending after each poll that did not end the wait.
    """
    try:
        # library callers get the command line's check too: a nan timeout would poll forever
        seconds(timeout)
        seconds(interval, positive=True)
    except ValueError as exc:
        raise UsageError(f"cannot wait: {exc}") from None
    start = clock()
    deadline = start + timeout
    delay, polls = interval, 0
    while True:
        polls += 1
        found = probe()
        if not isinstance(found, Pending):
            return Polled(found, polls, clock() - start)
        now = clock()
        remaining = deadline - now
        if remaining <= 0:
            waited = f"{timeout:.12g} s"  # not 1e+06 for a long timeout
            advice = f"rerun later, or with a longer {option} (it was {waited})"
            raise PollTimeoutError(
                f"timed out after {waited} ({plural(polls, 'poll')}): {found.what}",
                hint=advice if found.hint is None else f"{found.hint}; {advice}",
            )
        progress(Waiting(found.what, now - start, timeout, polls))
        sleep(min(delay, remaining))
        delay *= backoff
        if max_interval is not None:
            delay = min(delay, max_interval)
