"""The last line of a report: what to do next. The command decides it (a value: a command
line, or a short instruction); this renders it, the same way everywhere. A failure needs
none: its hint already says how to go on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.cli.render import line, step_summary

if TYPE_CHECKING:
    from tagship.cli.context import Context


def next_step(ctx: Context, what: str) -> None:
    """`next: what` as the report's last line, and in the CI job's summary."""
    line(f"next: {what}")
    step_summary(ctx, f"**Next:** {what}")
