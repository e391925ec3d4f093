"""The jobs of tagship's GitLab pipeline, as data: the required checks, the release label,
the TestPyPI dry run (started by hand) and the release on a tag, each job least privileged.

Every name is prefixed `tagship-` so the project's own jobs and stages never collide with
them; nothing is set at the top level (`default:`, `variables:`, `workflow:`) because an
included file's top-level keys apply to the project's jobs too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tagship.ci.pipeline_values import calls_tagship
from tagship.core.infer_checks import LABEL_CHECK, UV_INSTALL, job_command, unfound_message
from tagship.core.release_plan import (
    GITHUB_RELEASE,
    OUTBOX,
    TAG_REF,
    dry_run_steps,
    jobs_in_order,
    release_steps,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tagship.core.config import Config, IndexConfig
    from tagship.core.infer_checks import CheckPlan
    from tagship.core.release_plan import ReleaseStep

PREFIX = "tagship-"
CHECK_STAGE, DRY_RUN_STAGE, RELEASE_STAGE = "tagship-checks", "tagship-dry-run", "tagship-release"
OWN_STAGES = (CHECK_STAGE, DRY_RUN_STAGE, RELEASE_STAGE)
# GitLab's default stages: listed first so the project's jobs keep theirs when it sets none
DEFAULT_STAGES = ("build", "test", "deploy")
TEMPLATE = ".tagship-python"
# the id_tokens variables the publishing jobs get, by index; the audience PyPI expects
ID_TOKENS = {"pypi": "PYPI_ID_TOKEN", "testpypi": "TESTPYPI_ID_TOKEN"}
SIGSTORE = "SIGSTORE_ID_TOKEN"
ON_MERGE_REQUEST = '$CI_PIPELINE_SOURCE == "merge_request_event"'
ON_DEFAULT_BRANCH = "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
# the pushed tag, as GitLab names it; the release steps are written with GitHub's
GITLAB_TAG_REF = '"$CI_COMMIT_TAG"'
# the flow's job that publishes the host's release: on GitLab it creates the release once
# production succeeded (GitLab keeps no drafts); the docs links' pull request is GitHub's
_HOST_RELEASE_JOB, _HOST_RELEASE_NAME = "github-release", "gitlab-release"


@dataclass(frozen=True)
class Tools:
    """What the jobs run in: the image (pinned), and the command that installs tagship."""

    image: str
    install: str


def tag_regex(tag_format: str) -> str:
    """GitLab's `=~` pattern (RE2, between slashes) of the release tags of `tag_format`."""
    prefix, suffix = tag_format.split("{version}")
    version = r"[0-9]+(\.[0-9]+)*([._+!-]?[0-9A-Za-z]+)*"
    pattern = f"^{re.escape(prefix)}{version}{re.escape(suffix)}$"
    return "/" + pattern.replace("/", r"\/") + "/"


def _template(tools: Tools) -> dict[str, Any]:
    return {
        # the project's defaults (a top-level image:, before_script:, variables:) would run
        # in tagship's jobs too: a release job runs only what this file says
        "inherit": {"default": False, "variables": False},
        "image": tools.image,
        # no cache and no version check: a job installs only what it is told to
        "variables": {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1"},
    }


def _checks_rules() -> list[dict[str, Any]]:
    return [{"if": ON_MERGE_REQUEST}, {"if": ON_DEFAULT_BRANCH}]


def check_jobs(config: Config, tools: Tools, plans: Sequence[CheckPlan]) -> dict[str, Any]:
    """One job per required check (`tagship-lint`, ...), on merge requests and the default
    branch; each installs only what its command runs (tagship only for tagship's checks)."""
    where = str(config.pyproject.name)
    jobs: dict[str, Any] = {}
    for plan in plans:
        if plan.name == LABEL_CHECK:
            continue
        if plan.unfound is not None:
            message = unfound_message(plan, where).replace("'", "")
            script = [f"echo '{message}'"]
        else:
            command = job_command(plan, where).replace("::error::", "")
            installs = [tools.install] if calls_tagship(plan.command or "") else []
            setup = _with_pip(plan.setup.splitlines()) if plan.command else []
            script = [*installs, *setup, *command.splitlines()]
        history = calls_tagship(plan.command or "")
        # needs: nothing, so the checks start at once, beside the project's own stages
        jobs[f"{PREFIX}{plan.name}"] = _job(
            CHECK_STAGE, script, _checks_rules(), history=history, needs=[]
        )
    label = next((p for p in plans if p.name == LABEL_CHECK), None)
    if label is not None:
        script = [tools.install, job_command(label, where)]
        rules = [{"if": ON_MERGE_REQUEST}]  # the labels are the merge request's
        jobs[f"{PREFIX}{LABEL_CHECK}"] = _job(CHECK_STAGE, script, rules, history=False, needs=[])
    return jobs


def _with_pip(setup: list[str]) -> list[str]:
    """The project's install lines with pip: GitHub's jobs get uv from setup-uv, the images
    GitLab jobs run in have only pip (PEP 735 groups need pip 25.1)."""
    lines = [line.replace(UV_INSTALL, "python -m pip install") for line in setup]
    if any(line != old and " --group " in line for line, old in zip(lines, setup, strict=True)):
        return ['python -m pip install "pip>=25.1"', *lines]
    return lines


def _job(
    stage: str, script: list[str], rules: list[dict[str, Any]], *, history: bool, **extra: Any
) -> dict[str, Any]:
    job: dict[str, Any] = {"stage": stage, "extends": TEMPLATE}
    if history:  # tags and commit times: scm versions and SOURCE_DATE_EPOCH need them
        job["variables"] = {"GIT_DEPTH": "0"}
    job.update(extra)
    job["rules"] = rules
    job["script"] = script
    return job


def _environment(index: IndexConfig, project: str, *, production: bool) -> dict[str, Any]:
    environment: dict[str, Any] = {
        "name": index.environment or index.name,
        "deployment_tier": "production" if production else "testing",
    }
    if index.simple_url.endswith("/simple/"):
        environment["url"] = index.simple_url.replace("/simple/", f"/project/{project}/")
    return environment


def _needs(name: str, kind: str, previous: str | None) -> list[str]:
    """The jobs a flow's job waits for (and takes the artifacts of)."""
    if name == "record":
        return [f"{PREFIX}{kind}-publish", f"{PREFIX}{kind}-verify-install"]
    if name == _HOST_RELEASE_JOB:  # the built files are the release's links
        return [f"{PREFIX}{kind}-{n}" for n in ("build", "verify-install", "record")]
    if name == "verify-install":  # the built files (their manifest) are what is installed
        return [f"{PREFIX}{kind}-build", f"{PREFIX}{kind}-publish"]
    return [previous] if previous is not None else []


def _deploys(index: IndexConfig, project: str, *, production: bool) -> dict[str, Any]:
    """The publish job's environment and id tokens: the index's, and Sigstore's for the
    PEP 740 attestations of the upload."""
    variable = ID_TOKENS.get(index.name, f"{index.name.upper()}_ID_TOKEN")
    return {
        "environment": _environment(index, project, production=production),
        "id_tokens": {variable: {"aud": index.name}, SIGSTORE: {"aud": "sigstore"}},
    }


def _scripts(steps: Sequence[ReleaseStep]) -> dict[str, list[str]]:
    """Each job's commands, by the flow's job name, with GitLab's name for the pushed tag."""
    scripts: dict[str, list[str]] = {}
    for name in jobs_in_order(tuple(steps)):
        chosen = [s for s in steps if s.job == name and s.run]
        if name == _HOST_RELEASE_JOB:
            chosen = [s for s in chosen if s.name == GITHUB_RELEASE]
        if chosen:
            scripts[name] = [str(s.run).replace(TAG_REF, GITLAB_TAG_REF) for s in chosen]
    return scripts


def publish_jobs(
    config: Config, index: IndexConfig, project: str, tools: Tools, *, production: bool
) -> dict[str, Any]:
    """The flow's jobs in order (build -> publish -> verify-install -> record -> the GitLab
    release): the release on a tag of the format, or the dry run started by hand on the
    default branch. Only the publish job holds id tokens and deploys to an environment."""
    if production:
        steps = release_steps(index.name, config.release_artifacts)
        on_tag = f"$CI_COMMIT_TAG =~ {tag_regex(config.tag_format)}"
        stage, first_rules = RELEASE_STAGE, [{"if": on_tag}]
    else:
        steps = dry_run_steps(index.name)  # the rules are the branch gate
        stage, first_rules = DRY_RUN_STAGE, [{"if": ON_DEFAULT_BRANCH, "when": "manual"}]
    later_rules = [{"if": first_rules[0]["if"]}]
    jobs: dict[str, Any] = {}
    previous: str | None = None
    kind = "release" if production else "dry-run"
    for name, script in _scripts(steps).items():
        job_name = f"{PREFIX}{kind}-{_HOST_RELEASE_NAME if name == _HOST_RELEASE_JOB else name}"
        extra: dict[str, Any] = {}
        needs = _needs(name, kind, previous)
        if needs:
            extra["needs"] = needs
        if name == "publish":
            extra.update(_deploys(index, project, production=production))
        kept = _artifacts(name)
        if kept:
            extra["artifacts"] = kept
        rules = first_rules if previous is None else later_rules
        if name == "record":  # what was published is recorded even when verify failed
            rules = [{**later_rules[0], "when": "always"}]
        jobs[job_name] = _job(
            stage, [tools.install, *script], rules, history=name in ("build", "record"), **extra
        )
        previous = job_name
    return jobs


def _artifacts(job: str) -> dict[str, Any]:
    """What a job leaves for the jobs after it: the built files, or its ledger events."""
    if job == "build":
        return {"paths": ["dist/"], "expire_in": "30 days"}
    if job in ("publish", "verify-install"):
        # the record job needs what a failed job left
        return {"paths": [f"{OUTBOX}/"], "expire_in": "30 days", "when": "always"}
    return {}


def pipeline(
    config: Config,
    tools: Tools,
    plans: Sequence[CheckPlan],
    publishers: Sequence[tuple[IndexConfig, bool]],
    project: str,
) -> dict[str, Any]:
    """The whole file: stages, the job template, the checks, then each index's flow."""
    document: dict[str, Any] = {"stages": [*DEFAULT_STAGES, *OWN_STAGES]}
    document[TEMPLATE] = _template(tools)
    document.update(check_jobs(config, tools, plans))
    for index, production in publishers:
        document.update(publish_jobs(config, index, project, tools, production=production))
    return document
