"""The jobs of the generated workflows, as data: hardened, pinned, least privilege."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tagship.core.release_plan import (
    OUTBOX,
    ReleaseStep,
    dry_run_steps,
    jobs_in_order,
    release_steps,
)
from tagship.core.versions import tag_glob
from tagship.core.yaml_text import Commented

if TYPE_CHECKING:
    from tagship.ci.github.policy import TrustedPublisher
    from tagship.core.config import Config, IndexConfig

# every action pinned to the full commit of a release; the comment names the release.
# Releases on the node24 runtime: GitHub removes node20 in September 2026
ACTIONS = {
    "checkout": Commented("actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8", "v5.0.0"),
    "setup-python": Commented(
        "actions/setup-python@e797f83bcb11b83ae66e0230d6156d7c80228e7c", "v6.0.0"
    ),
    "setup-uv": Commented("astral-sh/setup-uv@20cfd1bf945f4377ade1205e4dbc17946fc9a30d", "v10.0.1"),
    "upload-artifact": Commented(
        "actions/upload-artifact@b7c566a772e6b6bfb58ed0dc250532a479d7789f", "v6.0.0"
    ),
    "download-artifact": Commented(
        "actions/download-artifact@37930b1c2abaa49bbe596cd826c3c89aef350131", "v7.0.0"
    ),
}
RUNNER = "ubuntu-latest"
ARTIFACT = "dist"
READ: dict[str, Any] = {"contents": "read"}
# jobs that append to the release ledger push refs/tagship/ledger with the job's own token
LEDGER_WRITE = Commented("write", "append to the release ledger (refs/tagship/ledger)")
JOB_TOKEN = "${{ github.token }}"  # noqa: S105 - an expression GitHub fills in, not a secret


@dataclass(frozen=True)
class Toolchain:
    """What every job sets up: the Python it runs, uv, and the command that installs tagship."""

    python: str
    install: str
    uv_version: str


def setup_steps(
    tools: Toolchain, *, history: bool, more: str = "", tagship: bool = True
) -> list[dict[str, Any]]:
    """Check out (with history when tags and commit times matter), Python, uv, tagship (when
    the job runs it: `tagship` False leaves its locked set out) and `more`."""
    checkout: dict[str, Any] = {"persist-credentials": False}
    if history:  # tags and commit times: scm versions and SOURCE_DATE_EPOCH need them
        checkout["fetch-depth"] = 0
    install = f"{tools.install if tagship else ''}\n{more}".strip()
    steps = [
        {"name": "Check out", "uses": ACTIONS["checkout"], "with": checkout},
        {
            "name": "Set up Python",
            "uses": ACTIONS["setup-python"],
            "with": {"python-version": tools.python},
        },
        {
            "name": "Set up uv",
            "uses": ACTIONS["setup-uv"],
            # no cache: a release job installs only what the lock's hashes allow
            "with": {"version": tools.uv_version, "enable-cache": False},
        },
    ]
    if install:
        steps.append({"name": "Install tools", "run": install + "\n"})
    return steps


def keep_step(artifact: str, path: str) -> dict[str, Any]:
    """Upload a build job's files as `artifact`, for the job that gathers them."""
    keep = {"name": artifact, "path": path, "if-no-files-found": "error"}
    return {"name": "Keep the built files", "uses": ACTIONS["upload-artifact"], "with": keep}


def job(
    name: str, permissions: dict[str, Any], steps: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    job: dict[str, Any] = {"name": name}
    job.update(extra)
    job["runs-on"] = RUNNER
    job["permissions"] = permissions
    job["steps"] = steps
    return job


def _branch_gate(config: Config, index: str) -> str:
    patterns = "|".join(f"branch:{b}" for b in (config.release_branch, config.hotfix_branches))
    return (
        'case "$GITHUB_REF_TYPE:$GITHUB_REF_NAME" in\n'
        f'  {patterns}) echo "publishing $GITHUB_REF_NAME to {index}" ;;\n'
        f'  *) echo "::error::{index} publishes from {config.release_branch} or '
        f'{config.hotfix_branches}, not $GITHUB_REF_TYPE $GITHUB_REF_NAME"; exit 1 ;;\n'
        "esac\n"
    )


def _version_env(publisher: TrustedPublisher, *, scm_version: bool) -> dict[str, str]:
    if publisher.on_tag or not scm_version:
        return {}
    # the version input goes to the backends as their pretend version, never into run:
    version = "${{ inputs.version }}"
    return {"SETUPTOOLS_SCM_PRETEND_VERSION": version, "PDM_BUILD_SCM_VERSION": version}


def _environment(publisher: TrustedPublisher, index: IndexConfig) -> dict[str, str]:
    environment = {"name": publisher.environment or index.name}
    if index.simple_url.endswith("/simple/"):
        environment["url"] = index.simple_url.replace("/simple/", f"/project/{publisher.project}/")
    return environment


def _gate_shape(publisher: TrustedPublisher) -> dict[str, Any]:
    if not publisher.on_tag:
        return {"permissions": READ, "history": True}
    # on the tag the gate also finds the draft Release; GitHub lists drafts only to writers
    drafts = Commented("write", "draft releases are listed only to a token that may write")
    env = {"GITHUB_TOKEN": JOB_TOKEN}
    return {"permissions": {"contents": drafts}, "env": env, "history": True}


def _job_shapes(
    publisher: TrustedPublisher, index: IndexConfig, *, scm_version: bool
) -> dict[str, dict[str, Any]]:
    """What each job holds besides its steps' commands: permissions, environment, what it
    needs, and which files it takes and leaves. Only the record job and the GitHub Release job
    may write the repository; the job with the OIDC token and the job that installs and runs
    the released code hold no such token."""
    version = _version_env(publisher, scm_version=scm_version)
    environment = _environment(publisher, index)
    # on the tag, the build job reads the ledger from origin (private repos too): the tag's
    # record, and the dry run whose files it promotes (or its rebuild must equal)
    ledger_read = {"GITHUB_TOKEN": JOB_TOKEN} if publisher.on_tag else {}
    return {
        "gate": _gate_shape(publisher),
        "build": {"permissions": READ, "env": {**ledger_read, **version}, "history": True},
        "publish": {
            "permissions": {
                "contents": "read",
                "id-token": Commented("write", "Trusted Publishing: the OIDC token PyPI trusts"),
            },
            "env": {"TAGSHIP_ENVIRONMENT": environment["name"], **version},
            "environment": environment,
            "files": True,
            "outbox": True,
        },
        "verify-install": {"permissions": READ, "env": version, "files": True, "outbox": True},
        "record": {
            "permissions": {"contents": LEDGER_WRITE},
            "env": {"GITHUB_TOKEN": JOB_TOKEN, **version},
            "history": True,
            "needs": ["publish", "verify-install"],
            # what was published is recorded even when the install check failed
            "if": "${{ !cancelled() }}",
            "outboxes": True,
        },
        "github-release": {
            "permissions": {
                "contents": Commented("write", "publish the draft GitHub Release; docs branch"),
                "pull-requests": Commented("write", "the docs links pull request"),
            },
            "env": {"GITHUB_TOKEN": JOB_TOKEN},
            "history": True,
            "files": True,
            "needs": ["verify-install", "record"],
        },
    }


def declared_steps(
    config: Config, publisher: TrustedPublisher, index: str
) -> tuple[ReleaseStep, ...]:
    """The flow this workflow runs: `tagship release` on the tag, else `tagship dry-run`."""
    if publisher.on_tag:
        return release_steps(index, config.release_artifacts)
    return dry_run_steps(index, _branch_gate(config, index))


def _files_in(shape: dict[str, Any]) -> list[dict[str, Any]]:
    steps = []
    if shape.get("files"):
        steps.append(
            {
                "name": "Download the verified files",
                "uses": ACTIONS["download-artifact"],
                "with": {"name": ARTIFACT, "path": "dist/"},
            }
        )
    if shape.get("outboxes"):
        steps.append(
            {
                "name": "Download the records of the jobs before",
                "uses": ACTIONS["download-artifact"],
                "with": {"pattern": f"{OUTBOX}-*", "path": f"{OUTBOX}/", "merge-multiple": True},
            }
        )
    return steps


def _files_out(name: str, shape: dict[str, Any]) -> list[dict[str, Any]]:
    if name == "build":
        keep = {"name": ARTIFACT, "path": "dist/", "if-no-files-found": "error"}
        return [
            {"name": "Keep the verified files", "uses": ACTIONS["upload-artifact"], "with": keep}
        ]
    if shape.get("outbox"):
        keep = {"name": f"{OUTBOX}-{name}", "path": f"{OUTBOX}/", "if-no-files-found": "ignore"}
        return [
            {
                "name": "Keep the records for the record job",
                "if": "${{ !cancelled() }}",
                "uses": ACTIONS["upload-artifact"],
                "with": keep,
            }
        ]
    return []


def publish_jobs(
    config: Config,
    publisher: TrustedPublisher,
    index: IndexConfig,
    tools: Toolchain,
    *,
    scm_version: bool = False,
) -> dict[str, Any]:
    """One job per stage of the declared flow, in its order, each running its steps' commands:
    gate -> build -> publish (the only job with id-token) -> verify -> record -> GitHub
    Release."""
    steps = declared_steps(config, publisher, index.name)
    shapes = _job_shapes(publisher, index, scm_version=scm_version)
    jobs: dict[str, Any] = {}
    previous: str | None = None
    for name in jobs_in_order(steps):
        shape = shapes[name]
        env = shape.get("env", {})
        commands = [
            {"name": s.name, "run": s.run, **({"env": env} if env else {})}
            for s in steps
            if s.job == name and s.run
        ]
        body = setup_steps(tools, history=shape.get("history", False))
        body += [*_files_in(shape), *commands, *_files_out(name, shape)]
        extra: dict[str, Any] = {}
        needs = shape.get("needs", previous)
        if needs:
            extra["needs"] = needs
        for key in ("if", "environment"):
            if key in shape:
                extra[key] = shape[key]
        jobs[name] = job(name, shape["permissions"], body, **extra)
        previous = name
    return jobs


def publish_triggers(
    config: Config, publisher: TrustedPublisher, *, scm_version: bool = False
) -> dict[str, Any]:
    if publisher.on_tag:
        return {"push": {"tags": [tag_glob(config.tag_format)]}}
    if scm_version:
        # between tags a version from git tags is a dev version indexes refuse: the dry run
        # builds the version about to be tagged
        version = {
            "description": "the version about to be tagged (X.Y.Z)",
            "required": True,
            "type": "string",
        }
        return {"workflow_dispatch": {"inputs": {"version": version}}}
    return {"workflow_dispatch": {}}
