"""Release-policy rules over parsed workflows: what zizmor does not know about publishing."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tagship.ci.github import workflow_model as wm
from tagship.core.official import is_official

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from tagship.core.config import Config

WORKFLOWS_DIR = ".github/workflows"
_PYPI_SECRET = re.compile(r"\bsecrets\.(\w*(?:PYPI|TWINE|PUBLISH)\w*)", re.IGNORECASE)
_CACHE_ACTION = re.compile(r"^actions/cache(?:/\w+)?@")


@dataclass(frozen=True)
class Finding:
    """One problem: which rule, where, why in one line, and how to fix it."""

    rule: str
    path: str
    line: int
    message: str
    fix: str
    source: str = "tagship"


@dataclass(frozen=True)
class TrustedPublisher:
    """A trusted publisher to register on an index: what PyPI matches against the OIDC claims."""

    index: str
    project: str
    owner: str | None
    repository: str | None
    workflow: str
    environment: str | None
    on_tag: bool  # production indexes publish on a tag push; the dry run is started by hand


def publishers(config: Config, project: str) -> tuple[TrustedPublisher, ...]:
    """One publisher per official index that has a workflow file configured."""
    return tuple(
        TrustedPublisher(
            index.name,
            project,
            config.github_owner,
            config.github_repository,
            index.workflow,
            index.environment,
            on_tag=index.name != "testpypi",
        )
        for index in config.indexes.values()
        if is_official(index) and index.workflow
    )


def check_policy(
    workflows: Sequence[wm.Workflow],
    expected: Sequence[TrustedPublisher],
    *,
    tag_example: str,
    actual_repo: tuple[str, str] | None,
) -> list[Finding]:
    """Every release-policy finding over the repository's workflows."""
    found: list[Finding] = []
    by_name = {w.file_name: w for w in workflows}
    for publisher in expected:
        workflow = by_name.get(publisher.workflow)
        if workflow is None:
            found.append(_missing(publisher))
        else:
            found.extend(_trigger(workflow, publisher, tag_example))
    for workflow in workflows:
        found.extend(_secrets(workflow))
        if not _is_publishing(workflow, expected):
            continue
        found.extend(_id_token(workflow))
        found.extend(_cache(workflow))
        found.extend(_reusable_callers(workflow, by_name))
        for job_id, job in workflow.jobs().items():
            if wm.job_publishes(job):
                found.extend(_publishing_job(workflow, job_id, job, expected, actual_repo))
        if any(p.on_tag and p.workflow == workflow.file_name for p in expected):
            found.extend(_gate_order(workflow))
    return found


def _is_publishing(workflow: wm.Workflow, expected: Sequence[TrustedPublisher]) -> bool:
    if any(p.workflow == workflow.file_name for p in expected):
        return True
    return any(wm.job_publishes(job) for job in workflow.jobs().values())


def _missing(publisher: TrustedPublisher) -> Finding:
    return Finding(
        "publish-workflow-missing",
        f"{WORKFLOWS_DIR}/{publisher.workflow}",
        1,
        f"no workflow {publisher.workflow} publishes to {publisher.index}, "
        "yet the trusted publisher names it",
        "run `tagship init` to write it, or set "
        f"[tool.tagship.indexes.{publisher.index}] workflow to the file that publishes",
    )


def _trigger(
    workflow: wm.Workflow, publisher: TrustedPublisher, tag_example: str
) -> Iterator[Finding]:
    triggers = workflow.triggers()
    if publisher.on_tag:
        patterns = triggers.get("push", {}).get("tags", [])
        patterns = [patterns] if isinstance(patterns, str) else patterns
        if not any(fnmatch.fnmatchcase(tag_example, str(p)) for p in patterns):
            yield Finding(
                "publish-trigger",
                workflow.path,
                workflow.line(("on",)),
                f"{workflow.file_name} does not run on the push of a release tag "
                f"like {tag_example}",
                f"trigger it with `on: push: tags: [...]` matching {tag_example}",
            )
    elif "workflow_dispatch" not in triggers:
        yield Finding(
            "publish-trigger",
            workflow.path,
            workflow.line(("on",)),
            f"{workflow.file_name} cannot be started by hand for the {publisher.index} dry run",
            "add `workflow_dispatch:` to its `on:`",
        )


def _secrets(workflow: wm.Workflow) -> Iterator[Finding]:
    seen: set[int] = set()
    for route, text in workflow.strings():
        secret = _PYPI_SECRET.search(text)
        is_password = route[-1:] == ("password",) and "with" in route
        if (secret or is_password) and workflow.line(route) not in seen:
            seen.add(workflow.line(route))
            name = secret.group(1) if secret else "password"
            yield Finding(
                "pypi-secret",
                workflow.path,
                workflow.line(route),
                f"a long-lived index credential ({name}) is passed to the workflow",
                "use Trusted Publishing (id-token: write in the publishing job) and delete the "
                "secret from the repository",
            )


def _id_token(workflow: wm.Workflow) -> Iterator[Finding]:
    if wm.grants_id_token(workflow.data.get("permissions")):
        yield Finding(
            "id-token-scope",
            workflow.path,
            workflow.line(("permissions",)),
            "id-token: write is granted to every job of the workflow",
            "set `permissions: {}` at the top and grant id-token: write in the publishing job only",
        )
    for job_id, job in workflow.jobs().items():
        if "uses" in job:
            continue  # a call of a reusable workflow: judged by _reusable_callers
        if wm.grants_id_token(job.get("permissions")) and not wm.job_publishes(job):
            yield Finding(
                "id-token-scope",
                workflow.path,
                workflow.line(("jobs", job_id, "permissions")),
                f"job {job_id} does not publish but may mint OIDC tokens",
                f"remove id-token: write from job {job_id}",
            )


def _cache(workflow: wm.Workflow) -> Iterator[Finding]:
    for job_id, job in workflow.jobs().items():
        for index, step in enumerate(wm.steps(job)):
            uses = str(step.get("uses", ""))
            with_ = step.get("with", {})
            with_ = with_ if isinstance(with_, dict) else {}
            caches = bool(with_.get("cache")) or with_.get("enable-cache") == "true"
            if _CACHE_ACTION.match(uses) or caches:
                yield Finding(
                    "publish-cache",
                    workflow.path,
                    workflow.line(("jobs", job_id, "steps", index)),
                    f"job {job_id} restores a cache in a publishing workflow (cache poisoning)",
                    "remove the cache from every job of the publishing workflow",
                )


def _reusable_callers(workflow: wm.Workflow, by_name: dict[str, wm.Workflow]) -> Iterator[Finding]:
    for job_id, job in workflow.jobs().items():
        uses = str(job.get("uses", ""))
        if not uses:
            continue
        callee = (
            by_name.get(uses.split("@", 1)[0].rsplit("/", 1)[-1]) if uses.startswith("./") else None
        )
        publishes = callee is not None and any(wm.job_publishes(j) for j in callee.jobs().values())
        if publishes or wm.grants_id_token(job.get("permissions")):
            yield Finding(
                "reusable-publish",
                workflow.path,
                workflow.line(("jobs", job_id, "uses")),
                f"job {job_id} publishes through the reusable workflow {uses}; "
                "PyPI's trusted publishers do not support reusable workflows",
                "move the publishing job into this workflow file",
            )


def _publishing_job(
    workflow: wm.Workflow,
    job_id: str,
    job: dict[str, Any],
    expected: Sequence[TrustedPublisher],
    actual_repo: tuple[str, str] | None,
) -> Iterator[Finding]:
    at = workflow.line(("jobs", job_id))
    if any(wm.step_builds(s) for s in wm.steps(job)):
        yield Finding(
            "build-and-upload",
            workflow.path,
            at,
            f"job {job_id} builds and uploads in one job: the token may publish unverified files",
            "build and verify in a job without id-token, hand the files over as an artifact",
        )
    if "workflow_call" in workflow.triggers():
        yield Finding(
            "reusable-publish",
            workflow.path,
            at,
            f"job {job_id} publishes from a reusable workflow: its job_workflow_ref names "
            f"{workflow.file_name}, which PyPI's trusted publishers do not accept",
            "publish from a job in the workflow file registered as trusted publisher",
        )
        return
    target = wm.publish_target(job)
    publisher = next((p for p in expected if p.index == target), None)
    if publisher is None:
        return
    yield from _claims(workflow, job_id, job, publisher, actual_repo)


def _claims(
    workflow: wm.Workflow,
    job_id: str,
    job: dict[str, Any],
    publisher: TrustedPublisher,
    actual_repo: tuple[str, str] | None,
) -> Iterator[Finding]:
    """Predict `invalid-publisher`: compare the claims PyPI matches with the registration."""
    at = workflow.line(("jobs", job_id))
    where = f"[tool.tagship.indexes.{publisher.index}]"
    if workflow.file_name != publisher.workflow:
        yield Finding(
            "invalid-publisher",
            workflow.path,
            at,
            f"job {job_id} publishes to {publisher.index} from {workflow.file_name}, but the "
            f"trusted publisher names workflow {publisher.workflow}",
            f"publish from {publisher.workflow}, or register {workflow.file_name} on "
            f"{publisher.index} and set workflow = {workflow.file_name!r} in {where}",
        )
    environment = wm.environment_name(job)
    wanted = publisher.environment
    if wanted and (environment or "").lower() != wanted.lower():
        yield Finding(
            "invalid-publisher",
            workflow.path,
            workflow.line(("jobs", job_id, "environment")),
            f"job {job_id} runs in environment {environment or '(none)'}, but the trusted "
            f"publisher on {publisher.index} requires environment {wanted}",
            f"set `environment: {wanted}` on job {job_id}, or environment = "
            f"{(environment or '')!r} in {where} and on {publisher.index}",
        )
    declared = (publisher.owner, publisher.repository)
    registered = f"{declared[0]}/{declared[1]}"
    if (
        actual_repo is not None
        and None not in declared
        and "/".join(actual_repo).lower() != registered.lower()
    ):
        yield Finding(
            "invalid-publisher",
            workflow.path,
            at,
            f"the workflow runs in {'/'.join(actual_repo)}, but the trusted publisher names "
            f"{registered}",
            "register the publisher for this repository, or fix [tool.tagship.github]",
        )


def _gate_order(workflow: wm.Workflow) -> Iterator[Finding]:
    jobs = workflow.jobs()
    gated: dict[str, bool] = {}

    def is_gated(job_id: str, seen: frozenset[str] = frozenset()) -> bool:
        if job_id not in gated:
            job = jobs.get(job_id, {})
            own = any(wm.step_gates_tag(s) for s in wm.steps(job))
            upstream = [n for n in wm.needs(job) if n in jobs and n not in seen]
            gated[job_id] = own or any(is_gated(n, seen | {job_id}) for n in upstream)
        return gated[job_id]

    for job_id, job in jobs.items():
        for index, step in enumerate(wm.steps(job)):
            if _gated_until(job, index):
                break
            if wm.step_builds(step) or wm.step_publishes(step):
                upstream = any(is_gated(n) for n in wm.needs(job) if n in jobs)
                if not upstream:
                    yield Finding(
                        "gate-order",
                        workflow.path,
                        workflow.line(("jobs", job_id, "steps", index)),
                        f"job {job_id} builds or publishes before `tagship check-tag` has "
                        "compared the tag with the version",
                        f"run `tagship check-tag` in a gate job that job {job_id} needs",
                    )
                break


def _gated_until(job: dict[str, Any], index: int) -> bool:
    """Whether a step before `index` (or at it) of the job runs the tag gate."""
    return any(wm.step_gates_tag(s) for s in wm.steps(job)[: index + 1])
