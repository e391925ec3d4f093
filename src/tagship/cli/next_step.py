"""The last line of a report: what to do next. The command decides it (a value: a command
line, or a short instruction); this renders it, the same way everywhere. A failure needs
none: its hint already says how to go on."""

from __future__ import annotations

from tagship.cli.render import line
from tagship.cli.style import current

PREFIX = "next: "


def next_step(what: str) -> None:
    """`next: what`, the report's last line (guidance, not a result: -q drops it)."""
    if not current().quiet:
        line(PREFIX + what)
