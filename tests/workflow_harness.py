"""Run the GitHub Actions workflows `tagship init` writes on this machine, job by job.

A small engine for tests (issue 15, item 11): it reads a workflow (`workflow_syntax.py`),
checks that the event would trigger it, and runs its jobs in `needs` order, each in a fresh
clone of the bare `origin` with the `GITHUB_*` variables and files a runner provides; `run:`
steps in bash, actions emulated (`workflow_actions.py`). GitHub's API and OIDC token service
are whatever `GitHubSide` the test hands in. Only what the generated workflows use is
understood: an unknown expression, key, action or trigger raises `Unsupported`.
"""

from __future__ import annotations

import json
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, Any, Protocol

from workflow_actions import Job, Machine, emulate
from workflow_events import (
    Event,
    RunInfo,
    dispatch_event,
    oidc_claims,
    pull_request_event,
    push_event,
)
from workflow_syntax import (
    Outputs,
    Unsupported,
    Workflow,
    check_expressions,
    condition,
    matrix_rows,
    needs,
    permissions,
    substitute,
    triggers,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

__all__ = [
    "Event",
    "GitHubSide",
    "Machine",
    "RunInfo",
    "RunResult",
    "Unsupported",
    "dispatch_event",
    "pull_request_event",
    "push_event",
    "run_workflow",
]

STEP_TIMEOUT = 900.0
_FILES = ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")
_RUN_IDS = count(9_000_001)


class GitHubSide(Protocol):
    """What the harness needs from the GitHub stand-in."""

    @property
    def api_url(self) -> str: ...

    @property
    def server_url(self) -> str: ...

    def job_token(self, permissions: Mapping[str, str]) -> str: ...

    def id_token_request(self, claims: Mapping[str, object]) -> tuple[str, str]: ...

    def run_started(self, run: RunInfo) -> None: ...

    def job_finished(self, run: RunInfo, name: str, conclusion: str) -> None: ...


@dataclass(frozen=True)
class StepResult:
    name: str
    outcome: str  # success, failure or skipped
    log: str
    seconds: float


@dataclass(frozen=True)
class JobResult:
    id: str
    name: str
    conclusion: str  # success, failure or skipped
    steps: tuple[StepResult, ...]
    summary: str  # what the steps wrote to GITHUB_STEP_SUMMARY
    seconds: float
    rows: tuple[JobResult, ...] = ()  # a matrix job's runs, one per row
    outputs: Mapping[str, str] = field(default_factory=dict)  # the job's `outputs`


@dataclass(frozen=True)
class RunResult:
    run: RunInfo
    jobs: dict[str, JobResult]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(job.conclusion != "failure" for job in self.jobs.values())

    def log(self) -> str:
        return "\n".join(
            f"--- {job.id} / {step.name}: {step.outcome}\n{step.log}"
            for job in self.jobs.values()
            for step in job.steps
        )

    def failures(self, lines: int = 60) -> str:
        """The tail of every failed step's log, for an assertion message."""
        out = [
            f"=== {self.run.workflow} job {job.id}, step {step.name!r}:\n"
            + "\n".join(step.log.splitlines()[-lines:])
            for job in self.jobs.values()
            for step in job.steps
            if step.outcome == "failure"
        ]
        outcomes = {name: job.conclusion for name, job in self.jobs.items()}
        return "\n".join(out) or f"{self.run.workflow}: {outcomes}"


def run_workflow(
    path: Path,
    event: Event,
    machine: Machine,
    github: GitHubSide,
    *,
    attempt: int = 1,
    parallel: int = 1,
) -> RunResult:
    """Run the workflow at `path` for `event`: each job once the jobs it needs are done, up
    to `parallel` at a time (GitHub runs independent jobs side by side)."""
    workflow = Workflow.load(path)
    if not triggers(workflow.data["on"], event):
        raise Unsupported(f"{workflow.file} does not run on {event.name} of {event.ref}")
    run = RunInfo(next(_RUN_IDS), attempt, workflow.file, workflow.name, event)
    context = {
        "github.ref": event.ref,
        "github.ref_name": event.ref_name,
        "github.event_name": event.name,
        **{f"inputs.{k}": v for k, v in event.inputs.items()},
    }
    rows = [row for job in workflow.order() for row in matrix_rows(workflow.job(job))]
    every = {key: "-" for row in rows for key in row}
    check_expressions(workflow.data, Outputs({**context, "github.token": "-", **every}))
    github.run_started(run)
    start = time.monotonic()
    root = machine.root / f"run-{run.id}"
    root.mkdir(parents=True)
    (root / "event.json").write_text(json.dumps(event.payload))
    this = _Run(workflow, run, context, root, machine, github)
    results: dict[str, JobResult] = {}
    with ThreadPoolExecutor(parallel) as pool:
        while len(results) < len(workflow.order()):
            ready = [
                j
                for j in workflow.order()
                if j not in results and set(needs(workflow.job(j))) <= set(results)
            ]
            done = pool.map(lambda j: this.job(j, results), ready)
            results.update(zip(ready, done, strict=True))
    return RunResult(run, {j: results[j] for j in workflow.order()}, time.monotonic() - start)


@dataclass(frozen=True)
class _Run:
    workflow: Workflow
    run: RunInfo
    context: Mapping[str, str]
    root: Path
    machine: Machine
    github: GitHubSide

    def job(self, job_id: str, done: Mapping[str, JobResult]) -> JobResult:
        """Run one job, once per row of its matrix: it succeeds when every row this machine
        can run succeeded (a row for another runner is skipped, saying why)."""
        spec = self.workflow.job(job_id)
        rows = matrix_rows(spec)
        if rows == [{}]:
            return self._one(job_id, spec, self.context, done)
        runs = tuple(
            self._one(f"{job_id}-{n}", spec, {**self.context, **row}, done)
            for n, row in enumerate(rows, start=1)
        )
        conclusions = {run.conclusion for run in runs}
        conclusion = next(c for c in ("failure", "success", "skipped") if c in conclusions)
        steps = tuple(step for run in runs for step in run.steps)
        summary = "".join(run.summary for run in runs)
        seconds = sum(run.seconds for run in runs)
        return JobResult(job_id, job_id, conclusion, steps, summary, seconds, runs)

    def _one(
        self,
        job_id: str,
        spec: Mapping[str, Any],
        context: Mapping[str, str],
        done: Mapping[str, JobResult],
    ) -> JobResult:
        """Run one job, or skip it (its `if:`, a job it needs that did not succeed, or a
        runner this machine is not)."""
        name, event = substitute(str(spec.get("name", job_id)), context), self.run.event
        failed = any(done[n].conclusion != "success" for n in needs(spec))
        context = {
            **context,
            **{f"needs.{n}.result": done[n].conclusion for n in needs(spec)},
            **{
                f"needs.{n}.outputs.{key}": value
                for n in needs(spec)
                for key, value in done[n].outputs.items()
            },
        }
        if not condition(spec.get("if"), context, failed=failed):
            return JobResult(job_id, name, "skipped", (), "", 0.0)
        other = self.machine.cannot_run(substitute(str(spec["runs-on"]), context), context)
        if other is not None:
            return JobResult(
                job_id, name, "skipped", (StepResult(name, "skipped", other, 0),), "", 0
            )
        grants = permissions(spec.get("permissions", self.workflow.data.get("permissions")))
        token = self.github.job_token(grants)
        job = Job(job_id, self.root / job_id, self.run, grants, spec.get("environment"), token)
        env = self.machine.job_environment(job, event, self.root / "event.json", self.github)
        if grants.get("id-token") == "write":
            claims = oidc_claims(self.run, job.environment_name)
            url, request = self.github.id_token_request(claims)
            env.update(ACTIONS_ID_TOKEN_REQUEST_URL=url, ACTIONS_ID_TOKEN_REQUEST_TOKEN=request)
        context = {**context, "github.token": token}
        for source in (self.workflow.data.get("env", {}), spec.get("env", {})):
            env.update({k: substitute(str(v), context) for k, v in source.items()})
        result = _run_job(job, name, spec, env, context, self.machine)
        self.github.job_finished(self.run, name, result.conclusion)
        return result


def _read_env_file(path: Path) -> dict[str, str]:
    """`NAME=value` lines and `NAME<<DELIMITER` blocks, as GITHUB_ENV and GITHUB_OUTPUT hold."""
    values: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for more in lines:
                if more == delimiter:
                    break
                block.append(more)
            else:
                raise Unsupported(f"{path.name}: {name} has no closing {delimiter}")
            values[name] = "\n".join(block)
        elif line.strip():
            name, _, value = line.partition("=")
            values[name] = value
    return values


def _run_job(
    job: Job,
    name: str,
    spec: Mapping[str, Any],
    env: dict[str, str],
    context: Mapping[str, str],
    machine: Machine,
) -> JobResult:
    start = time.monotonic()
    steps: list[StepResult] = []
    summary: list[str] = []
    failed = False
    context = dict(context)  # with each step's outputs as the job goes
    directory = spec.get("defaults", {}).get("run", {}).get("working-directory")
    for number, step in enumerate(spec["steps"], start=1):
        title = str(step.get("name") or step.get("uses") or step["run"])
        if not condition(step.get("if"), context, failed=failed):
            steps.append(StepResult(title, "skipped", "", 0.0))
            continue
        files = {key: job.directory / "files" / f"{key.lower()}-{number}" for key in _FILES}
        for file in files.values():
            file.touch()
        step_env = {**env, **{k: str(v) for k, v in files.items()}}
        step_env.update({k: substitute(str(v), context) for k, v in step.get("env", {}).items()})
        begun = time.monotonic()
        if "uses" in step:
            given = step.get("with", {}).items()
            inputs = {k: substitute(v, context) if isinstance(v, str) else v for k, v in given}
            ok, log = emulate(str(step["uses"]), inputs, job, step_env, machine, env)
        else:
            where = {"working-directory": directory} if directory else {}
            shell = {**where, **step}  # a step's own working-directory wins over the job's
            ok, log = _bash(substitute(str(step["run"]), context), shell, step_env, job, machine)
        outcome = "success" if ok else "failure"
        steps.append(StepResult(title, outcome, log, time.monotonic() - begun))
        failed = failed or not ok
        env.update(_read_env_file(files["GITHUB_ENV"]))
        outputs = _read_env_file(files["GITHUB_OUTPUT"])
        if "id" in step:
            context.update({f"steps.{step['id']}.outputs.{k}": v for k, v in outputs.items()})
        added = files["GITHUB_PATH"].read_text(encoding="utf-8").split()
        env["PATH"] = ":".join([*reversed(added), env["PATH"]])
        summary.append(files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8"))
    conclusion = "failure" if failed else "success"
    seconds = time.monotonic() - start
    declared = spec.get("outputs", {}).items()
    outputs = {k: substitute(str(v), Outputs(context)) for k, v in declared}
    return JobResult(
        job.id, name, conclusion, tuple(steps), "".join(summary), seconds, outputs=outputs
    )


def _bash(
    script: str, step: Mapping[str, Any], env: Mapping[str, str], job: Job, machine: Machine
) -> tuple[bool, str]:
    shell = step.get("shell")
    if shell not in (None, "bash"):
        raise Unsupported(f"shell {shell!r}")
    # GitHub's default on Linux is `bash -e {0}`; an explicit `shell: bash` adds pipefail
    argv = ["bash", "-e"] if shell is None else ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
    file = job.directory / "temp" / f"step-{time.monotonic_ns()}.sh"
    file.write_text(script, encoding="utf-8")
    try:
        done = subprocess.run(
            [*argv, str(file)],
            cwd=machine.workspace(job) / str(step.get("working-directory", ".")),
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=STEP_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return False, f"{exc.output or ''}\n[harness] step timed out after {STEP_TIMEOUT:g} s"
    return done.returncode == 0, f"$ {script.strip()}\n{done.stdout}[exit {done.returncode}]"
