"""Required checks: combine GitHub check runs and commit statuses into one verdict per check."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

# the pull request's own check: it has nothing to check on a branch head or on this machine
LABEL_CHECK = "release-label"
# conclusions of a completed check run that branch protection counts as passing
_PASSING_CONCLUSIONS = frozenset({"success", "neutral", "skipped"})
_STATUS_STATES = {"success": "passed", "pending": "pending", "failure": "failed", "error": "failed"}


class CheckState(str, Enum):
    """The verdict on one required check."""

    PASSED = "passed"
    FAILED = "failed"
    PENDING = "pending"
    MISSING = "missing"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class CheckSignal:
    """One report about a check: a check run (GitHub Actions) or a commit status."""

    name: str
    state: CheckState
    detail: str  # the raw status/conclusion, for the table
    at: str  # ISO 8601 time of the report; the latest report of a name wins
    order: int  # tie-breaker: check run or status id (ids only grow)
    url: str = ""
    source: str = "check run"


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one required check and the report it came from."""

    name: str
    state: CheckState
    detail: str = ""
    url: str = ""
    source: str = ""


def check_run_state(status: str, conclusion: str | None) -> CheckState:
    """The state of a check run from its `status` and `conclusion` fields."""
    if status != "completed":
        return CheckState.PENDING
    if conclusion in _PASSING_CONCLUSIONS:
        return CheckState.PASSED
    return CheckState.FAILED


def status_state(state: str) -> CheckState:
    """The state of a commit status (`success`, `pending`, `failure`, `error`)."""
    return CheckState(_STATUS_STATES.get(state, "failed"))


def latest_by_name(signals: Iterable[CheckSignal]) -> dict[str, CheckSignal]:
    """The most recent report of each name (a re-run replaces the failed run)."""
    latest: dict[str, CheckSignal] = {}
    for signal in signals:
        current = latest.get(signal.name)
        if current is None or _recency(signal) > _recency(current):
            latest[signal.name] = signal
    return latest


def _recency(signal: CheckSignal) -> tuple[str, int]:
    # a report with no time yet (a queued re-run) is the newest one there is
    return (signal.at or "\uffff", signal.order)


def evaluate(required: Sequence[str], signals: Iterable[CheckSignal]) -> tuple[CheckResult, ...]:
    """One result per required check, in the order required; unreported checks are missing."""
    latest = latest_by_name(signals)
    results = []
    for name in required:
        signal = latest.get(name)
        if signal is None:
            results.append(CheckResult(name, CheckState.MISSING, "no check run or status"))
        else:
            results.append(
                CheckResult(name, signal.state, signal.detail, signal.url, signal.source)
            )
    return tuple(results)


def all_passed(results: Iterable[CheckResult]) -> bool:
    """True when every result passed (skipped ones do not count against it)."""
    return all(r.state in (CheckState.PASSED, CheckState.SKIPPED) for r in results)


def settled(results: Iterable[CheckResult]) -> bool:
    """True when waiting longer cannot change the verdict: nothing pending or missing, or a
    failure already decided it."""
    states = {r.state for r in results}
    if CheckState.FAILED in states:
        return True
    return not states & {CheckState.PENDING, CheckState.MISSING}
