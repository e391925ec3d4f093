"""How progress events look: a live display on a terminal, occasional plain lines in CI logs
and pipes (a line per phase, per quarter of an upload, and about every ten seconds of a wait,
never one per chunk; a long silent phase gets a "still ..." line now and then)."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tagship.core.progress import Event, Phase, Transfer, Waiting

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

# how often a plain wait line may repeat, and how long a phase may stay silent in a log
EVERY = 10.0
HEARTBEAT = 30.0
_QUARTERS = 4
_KILO = 1000


def size(count: float) -> str:
    """Bytes for people: 812 B, 4.8 kB, 12.3 MB (decimal units, as PyPI shows them)."""
    for unit in ("B", "kB", "MB", "GB"):
        if count < _KILO or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= _KILO
    raise AssertionError  # the loop returns at GB


def duration(seconds: float) -> str:
    """12 s, 3 m 05 s."""
    whole = int(seconds)
    return f"{whole} s" if whole < 60 else f"{whole // 60} m {whole % 60:02d} s"  # noqa: PLR2004


def describe(event: Event) -> str:
    """The one line an event shows as."""
    if isinstance(event, Phase):
        return event.text
    if isinstance(event, Transfer):
        share = 100 * event.sent // event.total if event.total else 100
        return f"uploading {event.name}: {size(event.sent)} of {size(event.total)} ({share} %)"
    return f"waiting: {event.what} ({duration(event.elapsed)} of {duration(event.timeout)})"


def as_event(item: Event | str) -> Event:
    """Steps that only name their phases send text."""
    return Phase(item) if isinstance(item, str) else item


class PlainLines:
    """Occasional `tagship: ...` lines through `write` (no escape codes: logs and pipes)."""

    def __init__(
        self,
        write: Callable[[str], object],
        *,
        clock: Callable[[], float] = time.monotonic,
        every: float = EVERY,
    ) -> None:
        self._write = write
        self._clock = clock
        self._every = every
        self._lock = threading.Lock()
        self._phase: tuple[str, float] | None = None  # the running phase, and since when
        self._last_line = clock()
        self._shown: dict[str, tuple[int, float]] = {}  # file or wait -> (quarter, when)

    def __call__(self, item: Event | str) -> None:
        event = as_event(item)
        now = self._clock()
        with self._lock:
            if isinstance(event, Phase):
                self._phase = (event.text, now)
                self._emit(event, now)
            elif self._due(event, now):
                self._emit(event, now)

    def _due(self, event: Transfer | Waiting, now: float) -> bool:
        if isinstance(event, Transfer):
            if event.sent == 0 and event.total:
                return False  # the body rewound before it is sent: its first chunk tells
            key = f"upload {event.name}"
            mark = _QUARTERS * event.sent // event.total if event.total else _QUARTERS
        else:
            key, mark = f"wait {event.what}", 0
        seen = self._shown.get(key)
        if seen is not None and mark <= seen[0] and now - seen[1] < self._every:
            return False
        self._shown[key] = (mark, now)
        return True

    def _emit(self, event: Event, now: float) -> None:
        self._last_line = now
        self._write(f"tagship: {describe(event)}\n")

    def heartbeat(self) -> None:
        """A "still ..." line when the running phase printed nothing for a while."""
        now = self._clock()
        with self._lock:
            if self._phase is None or now - self._last_line < HEARTBEAT:
                return
            text, since = self._phase
            self._last_line = now
            self._write(f"tagship: still {text} ({duration(now - since)})\n")


class LiveView:
    """A spinner with the phase or the wait and its elapsed time, and a bar per upload; each
    phase also stays as a line above it."""

    def __init__(self, display: RichProgress) -> None:
        self._display = display
        self._main = display.add_task("starting", total=None)
        self._files: dict[str, TaskID] = {}

    def __call__(self, item: Event | str) -> None:
        event = as_event(item)
        if isinstance(event, Transfer):
            task = self._files.get(event.name)
            if task is None:
                task = self._files[event.name] = self._display.add_task(
                    f"uploading {event.name}", total=event.total
                )
            self._display.update(task, completed=event.sent)
            return
        if isinstance(event, Phase):
            self._display.console.print(f"tagship: {event.text}", highlight=False, markup=False)
            self._display.reset(self._main, description=event.text)
            return
        self._display.update(self._main, description=describe(event))


@contextmanager
def plain_lines(write: Callable[[str], object], *, tick: float = 5.0) -> Iterator[PlainLines]:
    """Plain lines, with a thread that adds the heartbeat while the phase runs."""
    lines = PlainLines(write)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(tick):
            lines.heartbeat()

    thread = threading.Thread(target=beat, name="tagship-progress", daemon=True)
    thread.start()
    try:
        yield lines
    finally:
        stop.set()
        thread.join()


@contextmanager
def live_view(*, color: bool) -> Iterator[LiveView]:
    """The live display on stderr, gone when the step ends (its phase lines stay); `color`:
    tagship's choice (--color, NO_COLOR, ...), not rich's own reading of the environment."""
    from rich.console import Console  # noqa: PLC0415 - rich is slow to import
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TimeElapsedColumn(),
    )
    console = Console(stderr=True, color_system="standard" if color else None, no_color=not color)
    with Progress(*columns, console=console, transient=True) as display:
        yield LiveView(display)
