"""The release's steps are declared once: the generated publish workflows run exactly the
declared steps' commands, in the declared order, and nothing else of tagship's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import yaml

from tagship.core.release_plan import (
    GATES,
    ReleaseStep,
    dry_run_steps,
    jobs_in_order,
    release_steps,
)

if TYPE_CHECKING:
    from conftest import Repo


def _jobs_in_needs_order(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The jobs in the order `needs` lets them run (a job after all it needs; ties in file
    order), as GitHub schedules them."""
    jobs: dict[str, dict[str, Any]] = workflow["jobs"]
    ordered: list[tuple[str, dict[str, Any]]] = []
    done: set[str] = set()
    while len(ordered) < len(jobs):
        ready = [
            name for name, job in jobs.items() if name not in done and set(_needs(job)) <= done
        ]
        assert ready, "the jobs' needs form a cycle"
        ordered.append((ready[0], jobs[ready[0]]))
        done.add(ready[0])
    return ordered


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def _run_steps(workflow: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(job, step name, command) of every `run:` step, in the order the workflow runs them."""
    return [
        (name, step["name"], step["run"])
        for name, job in _jobs_in_needs_order(workflow)
        for step in job["steps"]
        if "run" in step and step["name"] != "Install tools"
    ]


def _declared(steps: tuple[ReleaseStep, ...]) -> list[tuple[str, str, str]]:
    return [(s.job, s.name, s.run) for s in steps if s.run]


def _load(repo: Repo, name: str) -> dict[str, Any]:
    data = yaml.safe_load((repo.path / ".github/workflows" / name).read_text())
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(
    ("workflow", "declared"),
    [
        ("publish-pypi.yml", release_steps("pypi")),
        ("publish-testpypi.yml", dry_run_steps("testpypi")),
    ],
)
def test_the_workflow_runs_the_declared_steps_in_order(
    charmos: Repo, workflow: str, declared: tuple[ReleaseStep, ...]
) -> None:
    found = _run_steps(_load(charmos, workflow))
    expected = _declared(declared)
    if workflow == "publish-testpypi.yml":
        # the dry run's gate is a shell check of the branch, filled in from the config
        gate = found[0]
        assert (gate[0], gate[1]) == ("gate", GATES)
        assert "main|branch:hotfix/*" in gate[2]
        found, expected = found[1:], [s for s in expected if s[1] != GATES]
    assert found == expected
    names = [name for name, _ in _jobs_in_needs_order(_load(charmos, workflow))]
    assert names == jobs_in_order(declared)


@pytest.mark.parametrize("workflow", ["publish-pypi.yml", "publish-testpypi.yml"])
def test_every_tagship_command_in_a_publish_workflow_is_a_declared_step(
    charmos: Repo, workflow: str
) -> None:
    declared = {s.run for s in (*release_steps("pypi"), *dry_run_steps("testpypi")) if s.run}
    data = _load(charmos, workflow)
    commands = [
        line.strip()
        for job in data["jobs"].values()
        for step in job["steps"]
        for line in str(step.get("run", "")).splitlines()
        if line.strip().startswith("tagship ")
    ]
    assert commands
    assert set(commands) <= declared


def test_every_declared_step_has_a_job_and_the_first_is_the_gate() -> None:
    for steps in (release_steps("pypi"), dry_run_steps("testpypi")):
        assert steps[0].name == GATES
        assert steps[0].job == "gate"
        assert len({s.name for s in steps}) == len(steps)
        # a step without a command of its own is finished by the command before it
        assert all(s.run is not None or i > 0 for i, s in enumerate(steps))
