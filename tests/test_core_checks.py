"""Combining check runs and commit statuses into one verdict per required check."""

from __future__ import annotations

import pytest

from tagship.core.checks import (
    CheckResult,
    CheckSignal,
    CheckState,
    all_passed,
    check_run_state,
    evaluate,
    latest_by_name,
    settled,
    status_state,
)

P, F, W, M, S = (
    CheckState.PASSED,
    CheckState.FAILED,
    CheckState.PENDING,
    CheckState.MISSING,
    CheckState.SKIPPED,
)


@pytest.mark.parametrize(
    ("status", "conclusion", "state"),
    [
        ("completed", "success", P),
        ("completed", "neutral", P),
        ("completed", "skipped", P),  # a job skipped by `if:` passes branch protection too
        ("completed", "failure", F),
        ("completed", "cancelled", F),
        ("completed", "timed_out", F),
        ("completed", "action_required", F),
        ("completed", "startup_failure", F),
        ("completed", "stale", F),
        ("completed", None, F),
        ("queued", None, W),
        ("in_progress", None, W),
        ("waiting", None, W),
        ("requested", None, W),
        ("pending", None, W),
    ],
)
def test_check_run_state(status: str, conclusion: str | None, state: CheckState) -> None:
    assert check_run_state(status, conclusion) is state


@pytest.mark.parametrize(
    ("raw", "state"),
    [("success", P), ("pending", W), ("failure", F), ("error", F), ("weird", F)],
)
def test_status_state(raw: str, state: CheckState) -> None:
    assert status_state(raw) is state


def sig(
    name: str, state: CheckState, at: str = "2026-01-01T00:00:00Z", order: int = 1
) -> CheckSignal:
    return CheckSignal(name, state, state.value, at, order)


@pytest.mark.parametrize(
    ("signals", "winner"),
    [
        # a re-run after a failure wins
        ([sig("t", F, "2026-01-01T10:00:00Z", 1), sig("t", P, "2026-01-01T11:00:00Z", 2)], P),
        # order of arrival does not matter
        ([sig("t", P, "2026-01-01T11:00:00Z", 2), sig("t", F, "2026-01-01T10:00:00Z", 1)], P),
        # a queued re-run (no time yet) is the newest
        ([sig("t", P, "2026-01-01T11:00:00Z", 2), sig("t", W, "", 3)], W),
        # same time: the higher id wins
        ([sig("t", F, "2026-01-01T10:00:00Z", 5), sig("t", P, "2026-01-01T10:00:00Z", 4)], F),
        # a newer commit status beats an older check run of the same name
        ([sig("t", F, "2026-01-01T10:00:00Z", 99), sig("t", P, "2026-01-02T10:00:00Z", 1)], P),
    ],
)
def test_latest_report_of_a_name_wins(signals: list[CheckSignal], winner: CheckState) -> None:
    assert latest_by_name(signals)["t"].state is winner


def test_evaluate_keeps_required_order_and_marks_missing() -> None:
    results = evaluate(
        ["lint", "tests", "docs"], [sig("tests", F), sig("lint", P), sig("extra", F)]
    )
    assert [(r.name, r.state) for r in results] == [("lint", P), ("tests", F), ("docs", M)]
    assert results[2].detail == "no check run or status"


@pytest.mark.parametrize(
    ("states", "passed", "is_settled"),
    [
        ([], True, True),
        ([P, P], True, True),
        ([P, S], True, True),
        ([P, F], False, True),
        ([P, W], False, False),
        ([P, M], False, False),
        ([W, F], False, True),  # one failure decides it: no need to wait for the rest
        ([M, M], False, False),
    ],
)
def test_passed_and_settled(states: list[CheckState], passed: bool, is_settled: bool) -> None:
    results = [CheckResult(f"c{i}", s) for i, s in enumerate(states)]
    assert all_passed(results) is passed
    assert settled(results) is is_settled
