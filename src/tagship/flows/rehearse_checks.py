"""A rehearsal stopped by the required checks: most of them need tools CI has and this machine
may not (tox, nox, Sphinx), so the hint names the way to rehearse the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from tagship.core.errors import GateError
from tagship.flows.pipeline import FlowFailedError

if TYPE_CHECKING:
    from collections.abc import Callable

A = TypeVar("A")
T = TypeVar("T")

REQUIRED_CHECKS_GATE = "required checks"
SKIP_HINT = "where they cannot run here, rehearse the rest: tagship rehearse --skip-checks"


def hinting_skip_checks(flow: Callable[[A], T], argument: A) -> T:
    """`flow(argument)`; when its required checks gate closes, the hint adds --skip-checks."""
    try:
        return flow(argument)
    except FlowFailedError as failed:
        closed = any(
            step.name == REQUIRED_CHECKS_GATE and step.status == "failed"
            for step in failed.report.steps
        )
        if not closed:
            raise
        hint = f"{failed.hint}; {SKIP_HINT}" if failed.hint else SKIP_HINT
        cause = GateError(failed.message, hint=hint)
        raise FlowFailedError(failed.report, cause) from failed.cause
