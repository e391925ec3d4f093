"""`tagship init` for a repository of several packages: one set of workflows for all of them.

- `ci.yml`: a `packages` job names the packages a change touched (`tagship packages
  --changed`: every package on the release branches), then each package's required checks run
  as jobs of their own, `CHECK (PACKAGE)`, in the package's directory, skipped for a package
  the change left alone (a skipped job passes branch protection). Each package's checks are
  inferred from its own tools, as for a repository of one.
- the dispatch-triggered dry run asks which package (a choice input, handed to tagship as
  TAGSHIP_PACKAGE through the environment, never through a command line); the release on a tag
  finds the package from the tag, whose format names it (`{name}-v{version}`).
- the draft GitHub Release of each package is kept current; one trusted publisher per PyPI
  project (each package's), all naming the same workflow.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from tagship.ci.github.policy import WORKFLOWS_DIR, TrustedPublisher, publishers
from tagship.ci.github.workflows.check_table import CheckRow, check_rows
from tagship.ci.github.workflows.ci_workflows import (
    check_jobs,
    ci_frame,
    draft_workflow,
    label_workflow,
)
from tagship.ci.github.workflows.install_tagship import LOCK_FILE
from tagship.ci.github.workflows.values import Written, judge, written_values
from tagship.ci.github.workflows.watch_workflow import WATCH_FILE, wanted, watch_workflow
from tagship.ci.github.workflows.workflow_jobs import READ, Toolchain, setup_steps
from tagship.ci.github.workflows.workflows import (
    CI_FILE,
    DRAFT_FILE,
    LABEL_FILE,
    GeneratedFile,
    InitPlan,
    Placer,
    environments_of,
    publish_workflow,
)
from tagship.core.errors import ConfigError, UsageError
from tagship.core.infer_checks import LABEL_CHECK, UV_INSTALL, github_check_names, unfound_note
from tagship.core.versions import tag_glob

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from tagship.ci.github.workflows.install_tagship import Install
    from tagship.core.config import Config
    from tagship.core.infer_checks import CheckPlan

CHANGED = "${{ steps.changed.outputs.changed }}"
PACKAGE_INPUT = "${{ inputs.package }}"


@dataclass(frozen=True)
class Member:
    """One package as init sees it: its name, directory, config and inferred checks."""

    name: str
    directory: str  # POSIX, from the repository's root; "." for the root
    config: Config
    plans: tuple[CheckPlan, ...]
    scm_version: bool
    # the directories of the packages of this repository it depends on, from its own
    local: tuple[str, ...] = ()


def _same_policy(members: Sequence[Member]) -> Config:
    """The repository-wide part of the policy, which every package must share: one set of
    workflows serves them all."""
    first = members[0].config
    for member in members[1:]:
        config = member.config
        for key, mine, theirs in (
            ("release-branch", config.release_branch, first.release_branch),
            ("hotfix-branches", config.hotfix_branches, first.hotfix_branches),
            ("indexes", config.indexes, first.indexes),
            ("release-artifacts", config.release_artifacts, first.release_artifacts),
            ("python-version", config.python_version, first.python_version),
            ("release-labels", config.release_labels, first.release_labels),
        ):
            if mine != theirs:
                raise UsageError(
                    f"{member.name} sets {key} apart from {members[0].name}: the packages of "
                    "one repository share its workflows, so they share this policy",
                    hint=f"set {key} in the root pyproject.toml's [tool.tagship] only",
                )
    return first


_EDITABLE = f"{UV_INSTALL} --editable "
_JOB_ID = re.compile(r"[^A-Za-z0-9_-]")
# a failed `packages` job must fail the checks: skipped, they would pass branch protection
_KNOWN = {
    "name": "Which packages changed is known",
    "if": "needs.packages.result != 'success'",
    "working-directory": ".",  # before the checkout: the package's directory is not there
    "run": 'echo "::error::the packages job failed: every package\'s checks fail"; exit 1\n',
}


def _with_local(step: dict[str, Any], local: Sequence[str]) -> dict[str, Any]:
    """The install step with the packages of this repository it depends on installed from
    their directories, in the same resolve: they need not be on any index yet."""
    run = step.get("run")
    if not local or not isinstance(run, str) or _EDITABLE not in run:
        return step
    editable = "".join(f"--editable {shlex.quote(directory)} " for directory in local)
    install = _EDITABLE.removesuffix("--editable ")
    return {**step, "run": run.replace(_EDITABLE, f"{install}{editable}--editable ", 1)}


def _job_id(check: str, package: str) -> str:
    """A job id GitHub takes (letters, digits, `_` and `-`, a letter or `_` first)."""
    found = _JOB_ID.sub("-", f"{check}-{package}")
    return found if found[:1].isalpha() or found[:1] == "_" else f"_{found}"


def _check_jobs(member: Member, tools: Toolchain, *, several: bool) -> dict[str, Any]:
    found: dict[str, Any] = {}
    pyproject = f"{member.directory}/pyproject.toml".removeprefix("./")
    changed = f"contains(fromJSON(needs.packages.outputs.changed), '{member.name}')"
    for check, job in check_jobs(member.config, tools, member.plans, set(), pyproject).items():
        steps = [_with_local(step, member.local) for step in job["steps"]]
        shaped: dict[str, Any] = {
            # the check's name on GitHub: the package's own when there are several
            "name": github_check_names([job["name"]], member.name if several else None)[0],
            "needs": "packages",
            "if": f"${{{{ !cancelled() && (needs.packages.result != 'success' || {changed}) }}}}",
            "runs-on": job["runs-on"],
            "permissions": job["permissions"],
            # tagship acts on this package wherever it runs (a root package's jobs too)
            "env": {"TAGSHIP_PACKAGE": member.name},
        }
        if any(step.get("uses") for step in steps):  # a job that checks out: its directory
            shaped["defaults"] = {"run": {"working-directory": member.directory}}
        found[_job_id(check, member.name)] = {**shaped, "steps": [_KNOWN, *steps]}
    return found


def several_ci_workflow(members: Sequence[Member], tools: Toolchain) -> dict[str, Any]:
    """The required checks of every package, each package's run where a change touched it."""
    changed = {"name": "Packages a change touched", "id": "changed"}
    changed["run"] = "tagship packages --changed"
    packages = {
        "name": "packages",
        "runs-on": "ubuntu-latest",
        "permissions": READ,
        "outputs": {"changed": CHANGED},
        "steps": [*setup_steps(tools, history=True), changed],
    }
    # the check jobs run in the package's directory: the lock is found from the top
    lock = f'"$GITHUB_WORKSPACE/{LOCK_FILE}"'
    inside = replace(tools, install=tools.install.replace(LOCK_FILE, lock))
    jobs: dict[str, Any] = {"packages": packages}
    for member in members:
        for job_id, job in _check_jobs(member, inside, several=len(members) > 1).items():
            if job_id in jobs:
                raise UsageError(
                    f"two check jobs would be named {job_id}: {jobs[job_id]['name']} and "
                    f"{job['name']}",
                    hint="rename a required check (or a package) so that CHECK-PACKAGE differ",
                )
            jobs[job_id] = job
    return ci_frame(members[0].config, jobs)


def several_publish_workflow(
    config: Config,
    publisher: TrustedPublisher,
    tools: Toolchain,
    members: Sequence[Member],
) -> dict[str, Any]:
    """The publish workflow of index `publisher.index` for every package: on a tag, the
    package the tag names; dispatched, the package chosen."""
    scm = any(m.scm_version for m in members)
    workflow = publish_workflow(config, publisher, config.index(publisher.index), tools, scm)
    for job in workflow["jobs"].values():
        # the index's project page differs per package: the environment names none
        if isinstance(job.get("environment"), dict):
            job["environment"] = {"name": job["environment"]["name"]}
    if publisher.on_tag:
        tags = [tag_glob(m.config.tag_format) for m in members]
        workflow["on"] = {"push": {"tags": tags}}
        return workflow
    inputs: dict[str, Any] = {
        "package": {
            "description": "the package to dry-run",
            "required": True,
            "type": "choice",
            "options": [m.name for m in members],
        }
    }
    if scm:  # required: a package whose version lives in git tags cannot dry-run without it
        inputs["version"] = {
            "description": "the version about to be tagged (X.Y.Z): what a package whose "
            "version comes from git tags builds",
            "required": True,
            "type": "string",
        }
    workflow["on"] = {"workflow_dispatch": {"inputs": inputs}}
    workflow["env"] = {"TAGSHIP_PACKAGE": PACKAGE_INPUT}
    group = workflow["concurrency"]["group"]
    workflow["concurrency"]["group"] = f"{group}-{PACKAGE_INPUT}"
    return {k: workflow[k] for k in ("name", "on", "permissions", "env", "concurrency", "jobs")}


def _draft(config: Config, tools: Toolchain, members: Sequence[Member]) -> dict[str, Any]:
    workflow = draft_workflow(config, tools)
    (job,) = workflow["jobs"].values()
    update = job["steps"].pop()
    # one step per package, each run whatever the one before did: one failing package
    # leaves the others' drafts current
    job["steps"].extend(
        {
            **update,
            "name": f"Update the draft release of {m.name}",
            "if": "${{ !cancelled() }}",
            "run": f"tagship --package {m.name} notes --github\n",
        }
        for m in members
    )
    return workflow


def _rows(members: Sequence[Member]) -> tuple[CheckRow, ...]:
    rows = []
    for member in members:
        for row in check_rows(member.plans, {}):
            if row.check == LABEL_CHECK and member is not members[0]:
                continue  # the pull request's check, one for the repository
            own = member.name if len(members) > 1 else None
            (name,) = github_check_names([row.check], own)
            rows.append(replace(row, check=name))
    return tuple(rows)


def several_plan(
    members: Sequence[Member],
    install: Install,
    python: str,
    *,
    existing: Mapping[str, str],
    force: bool,
    owner: str | None,
    repository: str | None,
    watch: bool = False,
) -> InitPlan:
    """Every workflow of a repository of several packages; the packages' pyproject.toml files
    are left as they are. `watch`: the scheduled `tagship watch` workflow too."""
    for m in members:
        directory = Written("packages", m.directory, "line", "packages")
        judge([*written_values(m.config, m.plans, project=m.name), directory], m.config)
    config = _same_policy(members)
    config = replace(
        config,
        github_owner=owner or config.github_owner,
        github_repository=repository or config.github_repository,
    )
    tools = Toolchain(python, install.command, install.uv_version)
    placer = Placer(existing, force=force)
    found: list[TrustedPublisher] = []
    for publisher in publishers(config, members[0].name):
        path = placer.put(
            publisher.workflow, several_publish_workflow(config, publisher, tools, members)
        )
        if path is not None and path != f"{WORKFLOWS_DIR}/{publisher.workflow}":
            # the packages' pyproject.toml files are not rewritten, so a publish workflow put
            # under another name would leave the config (and its trusted publisher) naming
            # the project's own file: two publishers, one taken for the other
            raise ConfigError(
                f"the project's own {WORKFLOWS_DIR}/{publisher.workflow} has the name of "
                f"tagship's {publisher.index} publish workflow",
                hint=f"rename it, set [tool.tagship.indexes.{publisher.index}] workflow = "
                f'"tagship-{publisher.workflow}" in the root pyproject.toml, or rerun with '
                "--force (it is saved beside)",
            )
        found.extend(
            replace(
                publisher,
                project=m.name,
                owner=config.github_owner,
                repository=config.github_repository,
            )
            for m in members
        )
    placer.put(CI_FILE, several_ci_workflow(members, tools))
    placer.put(LABEL_FILE, label_workflow(config, tools, members[0].plans))
    placer.put(DRAFT_FILE, _draft(config, tools, members))
    if wanted(f"{WORKFLOWS_DIR}/{WATCH_FILE}", existing, asked=watch):
        placer.put(WATCH_FILE, watch_workflow(tools))  # at the root it watches every package
    if install.lock is not None:
        placer.files.append(GeneratedFile(LOCK_FILE, install.lock))
    placer.notes.extend([install.warning] if install.warning else [])
    for m in members:
        unfound = unfound_note(m.plans, f"{m.directory}/pyproject.toml".removeprefix("./"))
        placer.notes.extend([f"{m.name}: {unfound}"] if unfound else [])
    placer.notes.append(
        f"{len(members)} packages share these workflows; their check commands are not written "
        "into their pyproject.toml files (set a package's checks in its [tool.tagship.checks])"
    )
    environments = environments_of(publishers(config, members[0].name))
    return InitPlan(
        tuple(placer.files), tuple(found), environments, tuple(placer.notes), _rows(members)
    )
