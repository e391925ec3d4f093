"""Running a flow from the CLI: each step as it finishes, then the summary table (and the
GitHub Actions step summary); a failed flow shows the table before its one-line error."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from tagship.cli.next_step import next_step
from tagship.cli.render import (
    emit_json,
    hide,
    line,
    markdown_table,
    progress_display,
    step_summary,
    table,
)
from tagship.cli.style import current, verdict
from tagship.flows.pipeline import FlowFailedError, Pipeline

if TYPE_CHECKING:
    from collections.abc import Callable

    from tagship.cli.context import Context
    from tagship.flows.pipeline import FlowReport, StepReport

COLUMNS = ("step", "status", "detail", "time")
T = TypeVar("T")


def _rows(report: FlowReport) -> list[tuple[str, str, str, str]]:
    return [
        (s.name, s.status, s.detail, f"{s.seconds:.1f}s" if s.seconds else "") for s in report.steps
    ]


def _live(step: StepReport) -> None:
    line(f"[{verdict(step.status)}] {step.name}: {step.detail}")


def show(ctx: Context, report: FlowReport, then: str | None = None) -> None:
    emit_json(report)  # flow, steps: the --format json document of a flow
    title = f"tagship {report.flow}: " + ("ok" if report.ok else "stopped")
    table(title, COLUMNS, _rows(report))
    after = "" if then is None else f"\n**Next:** {then}\n"
    step_summary(ctx, f"### {title}\n\n" + markdown_table(COLUMNS, _rows(report)) + after)
    if then is not None:
        next_step(then)


def run_flow(
    ctx: Context,
    name: str,
    dry_run: bool,
    body: Callable[[Pipeline], None],
    *,
    then: Callable[[], str] | None = None,
) -> int:
    """Run the flow's `body` and show its table; the next step (`then`, asked only once the
    flow went through) ends the report."""
    # each step as it ends is progress; with -q the table at the end is the result
    pipeline = Pipeline(name, dry_run=dry_run, on_step=None if current().quiet else _live)
    try:
        with progress_display(ctx.ci) as progress:  # ended before the table is shown
            pipeline.progress = progress
            body(pipeline)
    except FlowFailedError as failed:
        show(ctx, failed.report)
        raise failed.cause from failed.cause.__cause__
    show(ctx, pipeline.report(), None if then is None else then())
    return 0


def one_step(name: str, action: Callable[[], T], summary: Callable[[T], str]) -> T:
    """A single command: a one-step pipeline over its step's function, shown as it ends."""
    try:
        return Pipeline(name, on_step=_live).step(name, action, summary)
    except FlowFailedError as failed:
        raise failed.cause from failed.cause.__cause__


def masker(ctx: Context) -> Callable[[str], None]:
    """Hide a secret in every line from now on: GitHub Actions' log, and tagship's output."""

    def mask(secret: str) -> None:
        if ctx.ci.workflow_commands:
            line(f"::add-mask::{secret}")
        hide(secret)  # and tagship's own output masks it too

    return mask
