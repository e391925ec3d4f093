"""How the CLI speaks in this run: how much (-q/-v) and whether in colour (--color).

Decided once by `cli.main` from the command line and the environment; `render.py` and the
progress display read it here, so every report and progress line honours the same choice.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

# verdict word -> colour: green for what went well, red for what did not, yellow for what was
# not looked at (yet), cyan for what a dry run would do
_VERDICTS = {
    "passed": "green",
    "ok": "green",
    "success": "green",
    "failed": "red",
    "FAILED": "red",
    "failure": "red",
    "missing": "red",
    "skipped": "yellow",
    "pending": "yellow",
    "would run": "cyan",
}
_ANSI = {"green": "32", "red": "31", "yellow": "33", "cyan": "36"}  # SGR foreground codes
# the column names whose cells are verdicts (status, checks, verify and flow tables)
VERDICT_COLUMNS = frozenset({"status", "state", "result"})


@dataclass(frozen=True)
class Style:
    """`verbosity` below 0 is quiet (results and errors only), above 0 verbose (debug logs);
    `color`: escape codes on stdout."""

    verbosity: int = 0
    color: bool = False

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0


_STACK = [Style()]  # the style of the innermost running `main` (tests call it in-process)


def current() -> Style:
    """The style of the command running now."""
    return _STACK[-1]


def color_wanted(choice: str, env: Mapping[str, str], *, tty: bool) -> bool:
    """Whether to colour: `--color always|never` wins; then NO_COLOR (any non-empty value:
    never), FORCE_COLOR (any non-empty value: always), TERM=dumb (never); else only on a
    terminal, so piped output carries no escape codes."""
    if choice != "auto":
        return choice == "always"
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    return tty


def verdict_style(word: str) -> str | None:
    """The colour of a verdict word (passed, failed, skipped, ok, ...) when colour is on;
    None: plain. The one place that decides it, for plain lines and rich tables alike."""
    return _VERDICTS.get(word) if current().color else None


def verdict(word: str) -> str:
    """`word` in its colour (ANSI escape codes) when colour is on."""
    colour = verdict_style(word)
    return word if colour is None else f"\033[{_ANSI[colour]}m{word}\033[0m"


@contextmanager
def applied(style: Style) -> Iterator[None]:
    """Run a command in `style` (restored afterwards)."""
    _STACK.append(style)
    try:
        yield
    finally:
        _STACK.pop()
