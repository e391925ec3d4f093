"""The local stand-ins `demo` and `rehearse` share: two pypiservers for TestPyPI and PyPI, the
environment of the tag's GitHub Actions job (no token), and the dry run, tag and release run
as publish-testpypi.yml, the maintainer and publish-pypi.yml would run them.

The stand-in indexes are declared `official = false`, so the CI-only rule of real runs holds
unchanged: nothing here uploads to an official index.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tagship.adapters.local_index import running_index
from tagship.ci import CREDENTIAL_VARIABLES, HOST_PREFIXES, job_variables, read_run
from tagship.core.errors import GateError
from tagship.core.words import plural
from tagship.flows.dry_run import dry_run
from tagship.flows.options import FlowOptions
from tagship.flows.pipeline import Pipeline
from tagship.flows.release import release
from tagship.flows.sample import SampleIndex
from tagship.flows.tag import tag_release
from tagship.steps.ledger.audit import audit_workspace
from tagship.steps.ledger.ledger_check import ledger_state, require_valid

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from contextlib import ExitStack
    from pathlib import Path

    from tagship.adapters.http import Http
    from tagship.adapters.process import Runner
    from tagship.flows.pipeline import StepReport
    from tagship.workspace import Workspace

# the stand-in indexes, by the names the generated workflows publish to
STAND_IN_INDEXES = ("testpypi", "pypi")
DEMO_REPOSITORY = "demo/demo-pkg"
# variables of the caller's own CI or GitHub session that must not leak into a stand-in run
_LEAKY = (*HOST_PREFIXES, "TAGSHIP_")


def clean_env(env: Mapping[str, str]) -> dict[str, str]:
    """`env` without the caller's CI identity, tokens and tagship settings."""
    return {
        k: v
        for k, v in env.items()
        if not k.startswith(_LEAKY) and k not in (*CREDENTIAL_VARIABLES, "CI")
    }


def ci_identity(
    env: Mapping[str, str],
    tag: str,
    sha: str,
    *,
    repository: str = DEMO_REPOSITORY,
    workflow: str = "publish-pypi.yml",
    environment: str = "pypi",
    run_id: str = "1",
) -> dict[str, str]:
    """The environment of the `workflow` job on `tag` (no token: nothing to leak), in the run
    `run_id` (the audit refuses two commits released by one run)."""
    job = job_variables(
        repository=repository,
        workflow=workflow,
        tag=tag,
        sha=sha,
        environment=environment,
        actor="demo-maintainer",
        run_id=run_id,
    )
    return {**env, **job}


def start_indexes(stack: ExitStack, base: Path) -> dict[str, SampleIndex]:
    """A pypiserver for each of STAND_IN_INDEXES under `base`, stopped when `stack` closes."""
    indexes: dict[str, SampleIndex] = {}
    for name in STAND_IN_INDEXES:
        server = stack.enter_context(running_index(base / name))
        indexes[name] = SampleIndex(name, server.upload_url, server.simple_url)
    return indexes


def print_nothing(_: str) -> None:
    """No secret exists in a stand-in run: there is nothing to mask."""


@dataclass(frozen=True)
class LocalRuns:
    """The flows, each run as publish-testpypi.yml, the maintainer or publish-pypi.yml would
    run it, its steps echoed as they end; `repository`: the GitHub repository the tag's job
    would run in."""

    http: Http
    runner: Runner
    echo: Callable[[StepReport], None]
    repository: str = DEMO_REPOSITORY
    # the tag job's run id: a fresh sample's ledger has no other; a user's may (rehearse)
    run_id: str = "1"

    def _flow(self, name: str, body: Callable[[Pipeline], None]) -> Pipeline:
        sub = Pipeline(name, on_step=self.echo)
        body(sub)
        return sub

    def dry_run(self, workspace: Workspace) -> Pipeline:
        options = FlowOptions(workspace.root / "dist", "testpypi", "local", wait_timeout=30)
        return self._flow(
            "dry-run",
            lambda p: dry_run(
                p, workspace, options, http=self.http, runner=self.runner, mask=print_nothing
            ),
        )

    def tag(self, workspace: Workspace) -> Pipeline:
        return self._flow(
            "tag",
            lambda p: tag_release(
                p, workspace, http=self.http, runner=self.runner, checks="local",
                production="pypi", build_dir=workspace.root / "dist",
            ),
        )  # fmt: skip

    def release(self, workspace: Workspace) -> Pipeline:
        """On the tag, with the environment of its GitHub Actions job (no token), which starts
        without the dry run's build: the files come from the test index."""
        shutil.rmtree(workspace.root / "dist", ignore_errors=True)
        production = workspace.config.index("pypi")
        env = ci_identity(
            workspace.env,
            workspace.expected_tag(),
            workspace.require_git().head_sha(),
            repository=self.repository,
            workflow=production.workflow or "publish-pypi.yml",
            environment=production.environment or "pypi",
            run_id=self.run_id,
        )
        # the job's facts, as the CI-host seam reads them in a real job
        ci = replace(workspace, env=env, ci=read_run(env))
        options = FlowOptions(ci.root / "dist", "pypi", "local", wait_timeout=30)
        return self._flow(
            "release",
            lambda p: release(
                p, ci, options, tag=None, http=self.http, runner=self.runner, mask=print_nothing
            ),
        )


def counted(sub: Pipeline) -> str:
    """A sub-flow's summary: how many of its steps passed and were skipped."""
    steps = sub.report().steps
    skipped = sum(s.status == "skipped" for s in steps)
    return f"{len(steps) - skipped} steps passed, {skipped} skipped"


def detail(sub: Pipeline, step: str) -> str:
    """The detail a sub-flow's `step` reported."""
    return next(s.detail for s in sub.report().steps if s.name == step)


def indexes_summary(indexes: Mapping[str, SampleIndex]) -> str:
    """Where each stand-in index answers."""
    return ", ".join(f"{n} at {i.simple_url}" for n, i in indexes.items())


def audited(workspace: Workspace, http: Http) -> str:
    """The audit of the stand-in PyPI: every file came from a recorded CI run (GateError when
    not). The audit closes `http` when done."""
    report = audit_workspace(workspace, "pypi", http)
    if not report.ok:
        raise GateError(f"audit found {plural(report.findings, 'problem')} on the production index")
    files = sum(len(v.files) for v in report.versions)
    versions = plural(len(report.versions), "version")
    return f"{plural(files, 'file')} of {versions} came from recorded CI runs"


def ledger_verified(workspace: Workspace) -> str:
    """The ledger's chain and the anchors in release tags, verified."""
    state = require_valid(ledger_state(workspace.require_git()))
    anchors = plural(len(state.anchors), "anchor")
    return f"{len(state.records)} records, chain and {anchors} valid"
