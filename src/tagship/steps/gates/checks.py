"""Step 2 of the release flow: are the required checks green for this commit?"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.adapters.process import without_secrets
from tagship.adapters.project_facts import gather_facts
from tagship.core.checks import (
    LABEL_CHECK,
    CheckResult,
    CheckState,
    all_passed,
    evaluate,
    settled,
)
from tagship.core.errors import UsageError
from tagship.core.infer_checks import missing, plan_checks, unfound_message
from tagship.core.polling import Pending, poll

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from tagship.adapters.process import Runner
    from tagship.ci.api import HostClient
    from tagship.workspace import Workspace

# one check command may take long (a full test suite), never forever
LOCAL_CHECK_TIMEOUT = 3600.0


@dataclass(frozen=True)
class ChecksReport:
    """The verdict on every required check of one commit."""

    ref: str
    sha: str
    results: tuple[CheckResult, ...]
    where: str  # "github" or "local"

    @property
    def passed(self) -> bool:
        return all_passed(self.results)

    def not_passed(self) -> list[CheckResult]:
        return [r for r in self.results if r.state not in (CheckState.PASSED, CheckState.SKIPPED)]


def resolve_ref(client: HostClient, ref: str) -> str:
    sha = client.commit_sha(ref)
    if sha is None:
        raise UsageError(
            f"{ref!r} does not name a commit in {client.full_name}",
            hint=f"pass a branch, tag or sha that is pushed to {client.title}",
        )
    return sha


def github_checks(
    client: HostClient, ref: str, required: Sequence[str], *, sha: str | None = None
) -> ChecksReport:
    """Check runs and commit statuses of `ref`'s commit, one verdict per required check."""
    sha = sha or resolve_ref(client, ref)
    signals = [*client.check_runs(sha), *client.statuses(sha)]
    return ChecksReport(ref, sha, evaluate(required, signals), "github")


def wait_for_checks(
    client: HostClient,
    ref: str,
    required: Sequence[str],
    *,
    timeout: float,
    interval: float = 15.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_poll: Callable[[ChecksReport], None] | None = None,
) -> ChecksReport:
    """Poll until every check settled: the verdict cannot change any more. PollTimeoutError
    (exit 3), naming the checks still pending or missing, after `timeout` seconds.

    The ref is resolved once: a branch that moves meanwhile does not change the commit.
    """
    sha = resolve_ref(client, ref)

    def probe() -> ChecksReport | Pending:
        report = github_checks(client, ref, required, sha=sha)
        if on_poll is not None:
            on_poll(report)
        if settled(report.results):
            return report
        waiting = ", ".join(
            f"{r.name} {r.state.value}"
            for r in report.results
            if r.state in (CheckState.PENDING, CheckState.MISSING)
        )
        return Pending(f"required checks of {ref} ({sha[:12]}) not settled: {waiting}")

    return poll(probe, timeout=timeout, interval=interval, sleep=sleep, clock=clock).value


def _with_own_scripts(env: Mapping[str, str]) -> dict[str, str]:
    """`tagship ...` in a check's command is this tagship, installed or not on PATH."""
    scripts = str(Path(sys.executable).parent)
    return {**env, "PATH": os.pathsep.join(p for p in (scripts, env.get("PATH")) if p)}


def local_checks(
    workspace: Workspace,
    runner: Runner,
    *,
    on_start: Callable[[int, int, str, str], None] | None = None,
    on_done: Callable[[int, int, CheckResult, float], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ChecksReport:
    """Run each required check's configured command here, in order, through a shell (they
    are the same shell lines the CI jobs run). The label check belongs to pull requests."""
    git = workspace.require_git()
    plans = plan_checks(
        workspace.config,
        gather_facts(workspace.root, workspace.pyproject_data, workspace.inherited),
    )
    names = [plan.name for plan in plans]
    results: list[CheckResult] = []
    for index, plan in enumerate(plans, start=1):
        name, command = plan.name, plan.command
        if name == LABEL_CHECK or not command:
            if command is None:
                result = CheckResult(name, CheckState.MISSING, missing(name, "pyproject.toml"))
            elif plan.unfound is not None:  # no tool to run: skipped, as its CI job passes
                why = unfound_message(plan, "pyproject.toml")
                result = CheckResult(name, CheckState.SKIPPED, why, source="local")
            else:
                result = CheckResult(name, CheckState.SKIPPED, "not a local check", source="local")
            results.append(result)
            if on_done is not None:
                on_done(index, len(names), result, 0.0)
            continue
        if on_start is not None:
            on_start(index, len(names), name, command)
        started = clock()
        done = runner(
            ["sh", "-c", command],
            cwd=workspace.root,
            env=_with_own_scripts(without_secrets(workspace.env)),  # and no credential
            timeout=LOCAL_CHECK_TIMEOUT,
        )
        state = CheckState.PASSED if done.ok else CheckState.FAILED
        detail = command if done.ok else f"exit {done.returncode}: {done.tail(1)}"
        result = CheckResult(name, state, detail, source="local")
        results.append(result)
        if on_done is not None:
            on_done(index, len(names), result, clock() - started)
    return ChecksReport("HEAD", git.head_sha(), tuple(results), "local")
