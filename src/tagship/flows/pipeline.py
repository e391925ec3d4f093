"""A flow is a pipeline of named steps; each step reports a status, a detail and its time.

The first failing step stops the flow; the report of every step so far travels with the
error, so the CLI can show the table before the one-line error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypeVar

from tagship.core.errors import GateError, TagshipError
from tagship.core.progress import ignore
from tagship.core.words import plural

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from tagship.core.progress import Progress
    from tagship.steps.gates.gates import Gate

Status = Literal["passed", "failed", "skipped", "would run"]
T = TypeVar("T")


@dataclass(frozen=True)
class StepReport:
    name: str
    status: Status
    detail: str
    seconds: float = 0.0


@dataclass(frozen=True)
class FlowReport:
    flow: str
    steps: tuple[StepReport, ...]

    @property
    def ok(self) -> bool:
        return all(s.status != "failed" for s in self.steps)


class FlowFailedError(TagshipError):
    """A step failed: the cause's message and exit code, plus the report so far."""

    def __init__(self, report: FlowReport, cause: TagshipError) -> None:
        super().__init__(cause.message, cause.hint, exit_code=cause.exit_code)
        self.report = report
        self.cause = cause


@dataclass
class Pipeline:
    """Runs steps in order, each handing its typed result to the next; with `dry_run`, the
    flow shows its gates and then only says what each later step would do."""

    name: str
    dry_run: bool = False
    on_step: Callable[[StepReport], None] | None = None
    # where the long steps (build, upload, wait) tell how far they are
    progress: Progress = ignore
    clock: Callable[[], float] = time.monotonic
    _steps: list[StepReport] = field(default_factory=list)

    def _add(self, report: StepReport) -> None:
        self._steps.append(report)
        if self.on_step is not None:
            self.on_step(report)

    def report(self) -> FlowReport:
        return FlowReport(self.name, tuple(self._steps))

    def step(self, name: str, action: Callable[[], T], summary: Callable[[T], str]) -> T:
        """Run `action`; its result goes back to the flow, `summary` of it into the report."""
        if self.dry_run:
            raise RuntimeError(f"step {name!r} run in a dry run")  # a bug in the flow
        started = self.clock()
        try:
            result = action()
            detail = summary(result)
        except TagshipError as exc:
            self._add(StepReport(name, "failed", exc.message, self.clock() - started))
            raise FlowFailedError(self.report(), exc) from exc
        self._add(StepReport(name, "passed", detail, self.clock() - started))
        return result

    def would(self, steps: Iterable[tuple[str, str]]) -> None:
        """Show what each (name, what it would do) step would do, running none of them."""
        for name, would in steps:
            self._add(StepReport(name, "would run", would))

    def gates(self, gates: Sequence[Gate]) -> None:
        """Show every gate; stop the flow (exit 1) when any is closed."""
        for gate in gates:
            self._add(StepReport(gate.name, gate.verdict, gate.why))
        closed = [g for g in gates if g.verdict == "failed"]
        if closed:
            first = closed[0]
            more = f" (and {plural(len(closed) - 1, 'more gate')})" if len(closed) > 1 else ""
            error = GateError(
                f"gate '{first.name}' is closed: {first.why}{more}",
                hint="nothing was built, published or tagged; fix it and rerun",
            )
            raise FlowFailedError(self.report(), error)

    def skip(self, name: str, why: str) -> None:
        self._add(StepReport(name, "skipped", why))
