"""Counted words in messages read `1 poll`, `2 polls`: never `1 poll(s)` nor `1 polls`."""

from __future__ import annotations

import pytest

from tagship.core.ci_identity import GITHUB_ACTIONS, RunFacts, run_problems
from tagship.core.ledger import Actor
from tagship.flows.pipeline import FlowFailedError, Pipeline
from tagship.steps.gates.gates import Gate
from tagship.steps.publish.release_steps import waited_summary
from tagship.steps.publish.wait import WaitResult

SHA = "a" * 40


@pytest.mark.parametrize(
    ("polls", "said"), [(1, "visible after 1 poll, 0.5 s"), (3, "visible after 3 polls, 0.5 s")]
)
def test_wait_summary_counts_polls(polls: int, said: str) -> None:
    assert waited_summary(WaitResult("pypi", polls, 0.5)) == said


@pytest.mark.parametrize(
    ("latest", "claimed", "said"),
    [(1, "2", "it has 1 attempt, not 2"), (2, "3", "it has 2 attempts, not 3")],
)
def test_a_replayed_attempt_is_counted(latest: int, claimed: str, said: str) -> None:
    actor = Actor(
        kind=GITHUB_ACTIONS,
        repository="o/r",
        workflow="publish.yml",
        run_attempt=claimed,
        ref="refs/tags/v1.0.0",
        sha=SHA,
    )
    facts = RunFacts("o/r", ".github/workflows/publish.yml", SHA, "v1.0.0", "push", latest)
    assert run_problems(actor, facts) == [said]


@pytest.mark.parametrize(
    ("closed", "said"),
    [
        (1, "gate 'g0' is closed: no"),
        (2, "gate 'g0' is closed: no (and 1 more gate)"),
        (3, "gate 'g0' is closed: no (and 2 more gates)"),
    ],
)
def test_closed_gates_are_counted(closed: int, said: str) -> None:
    gates = [Gate(f"g{n}", "failed", "no") for n in range(closed)]
    with pytest.raises(FlowFailedError) as failed:
        Pipeline("release").gates([*gates, Gate("open", "passed", "yes")])
    assert failed.value.message == said
