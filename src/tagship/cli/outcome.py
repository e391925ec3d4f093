"""Each command's outcome where a CI job shows it: a failure as an annotation of the run and in
the job's step summary; a success in the summary too, when the command wrote none itself. (A
crash has its own report: render.internal_error, its traceback in a group of the job's log.)"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from tagship.cli.render import annotate, step_summary
from tagship.core.errors import TagshipError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tagship.cli.context import Context


def _size(ctx: Context) -> int | None:
    path = ctx.ci.summary_path
    try:
        return None if path is None else path.stat().st_size
    except OSError:
        return 0  # not written yet


@contextmanager
def reported(ctx: Context, command: str) -> Iterator[None]:
    """Run `command` inside: its failure and its result reach the CI job's annotations and
    summary (the CLI still prints the one error line)."""
    title = f"tagship {command}"
    before = _size(ctx)
    try:
        yield
    except TagshipError as exc:
        text = exc.message + (f" (hint: {exc.hint})" if exc.hint else "")
        annotate(ctx.ci, "error", text, title=title)
        fix = f"\n\n**Fix:** {exc.hint}" if exc.hint else ""
        step_summary(ctx, f"### {title}: failed (exit {exc.exit_code})\n\n{exc.message}{fix}")
        raise
    if before is not None and _size(ctx) == before:
        step_summary(ctx, f"### {title}: ok")
