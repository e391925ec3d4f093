"""A GitLab runner's checkout of a project, and the variables GitLab sets for its pipeline.

`checkout(origin, project, trigger, directory)` clones the pushed project at the pipeline's
ref, as a runner does; `pipeline_variables(checkout)` are the predefined variables GitLab gives
that pipeline where gitlab-ci-local 4.75.1 gives others or none (tests/gitlab_ci_local.py
passes them): a tag pipeline's CI_COMMIT_TAG, CI_COMMIT_REF_NAME and slug without
CI_COMMIT_BRANCH; GITLAB_CI=true; CI_CONFIG_PATH; CI_COMMIT_REF_PROTECTED; CI_PIPELINE_SOURCE;
a CI_JOB_TOKEN; CI_API_V4_URL at the caller's API stand-in, or at a closed loopback port so
that no job reaches gitlab.com; and CI_PROJECT_DIR where the shell runs a job with `image:`.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitlab_oidc import GITLAB_COM, Job

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

STATE = ".gitlab-ci-local"  # gitlab-ci-local's folder in the checkout
CLOSED_API = "http://127.0.0.1:9/api/v4"  # the discard port: nothing listens
JOB_TOKEN = "gitlab-ci-local-job-token"  # noqa: S105 - a stand-in's value, not a secret


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


def pipeline_variables(
    checkout: Checkout, api_url: str | None, extra: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """The variables to set, and those to unset, for the checkout's pipeline."""
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
        # gitlab-ci-local says /builds/... for a job with `image:`; the shell runs it in a copy
        # named after the job (exactly so for names of [A-Za-z0-9_-]; others are encoded)
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
