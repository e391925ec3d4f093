"""What the rehearsed release would do on GitHub, which the rehearsal does not reach: the tag
pushed, the draft Release and its notes, the two publish jobs with their environments, and the
Trusted Publishers PyPI and TestPyPI must know."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.core.words import plural
from tagship.steps.gates.gates import LABEL_CHECK

if TYPE_CHECKING:
    from tagship.core.config import Config, IndexConfig
    from tagship.core.notes import ReleaseNotes

# origin is not on GitHub and [tool.tagship.github] names no repository
UNKNOWN_REPOSITORY = "OWNER/REPOSITORY"


def _job(index: IndexConfig) -> tuple[str, str]:
    return index.workflow or f"publish-{index.name}.yml", index.environment or index.name


def github_plan(
    declared: Config,
    *,
    project: str,
    tag: str,
    notes: ReleaseNotes,
    repository: str,
    origin_url: str | None,
) -> tuple[str, ...]:
    """The real release's steps on GitHub, in order, with the declared (real) indexes."""
    test, production = declared.index("testpypi"), declared.index("pypi")
    test_workflow, test_environment = _job(test)
    workflow, environment = _job(production)
    owner, _, name = repository.partition("/")
    draft = (
        f"the draft Release {tag} of {repository}, its notes from "
        f"{plural(len(notes.pulls), 'merged pull request')} "
        "(below; tagship notes --github keeps it up to date)"
    )
    dry_run = (
        f"{test_workflow} (run by hand on {declared.release_branch}): a job in the environment "
        f"`{test_environment}` uploads to {test.upload_url} by Trusted Publishing"
    )
    release = (
        f"{workflow} on {tag}: a job in the environment `{environment}` waits for its required "
        f"reviewers to approve, then uploads the dry run's files to {production.upload_url} by "
        "Trusted Publishing"
    )
    published = f"the same job publishes the Release {tag} with the manifest attached"
    if declared.docs_files:
        published += "; the docs links change on a branch, in a pull request"
    checks = ", ".join(c for c in declared.required_checks if c != LABEL_CHECK)
    pushed = (
        f"tagship tag asks GitHub for the required checks of the commit ({checks}), then pushes "
        f"{tag} to {origin_url or 'origin'}"
    )
    plan = [draft, dry_run, pushed, release, published]
    if repository == UNKNOWN_REPOSITORY:
        plan.append(
            "origin is not on GitHub: name the repository in [tool.tagship.github] (owner, "
            "repository) for the publishers below"
        )
    plan.extend(
        f"Trusted Publisher on {index.name}: project {project}, owner {owner}, repository "
        f"{name}, workflow {job[0]}, environment {job[1]}"
        for index, job in (
            (test, (test_workflow, test_environment)),
            (production, (workflow, environment)),
        )
    )
    return tuple(plan)
