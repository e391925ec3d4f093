"""The outside checklist (ci/github/setup_plan.py) made from the packages' configs, and shown:
at the end of `init` and by `tagship setup github`."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from tagship.ci.github.setup_plan import (
    Checklist,
    PackageRelease,
    checklist,
    package_release,
    required_check_names,
)
from tagship.cli.render import line, table
from tagship.core.versions import tag_glob

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tagship.ci.github.workflows.workflows import InitPlan
    from tagship.cli.init_infer import Adoption
    from tagship.core.config import Config
    from tagship.workspace import Workspace

UNKNOWN = "(unknown: pass --owner/--repo)"


def checklist_of(workspaces: Sequence[Workspace], server_url: str) -> Checklist:
    """The checklist of the repository these workspaces (one per package) make up."""
    releases = [package_release(w.config, w.name) for w in workspaces]
    checks = required_check_names((w.config, w.package_of_several) for w in workspaces)
    return checklist(workspaces[0].config, releases, checks, server_url=server_url)


def show_checklist(found: Checklist) -> None:
    """The checklist as tables, each with where to set it."""
    line("")
    line("What remains outside the repository:")
    show_publishers(found)
    show_github(found)
    line(
        "with a token of a repository admin, `tagship setup github` creates 2-4 "
        "(`--dry-run` shows the plan); the index has no API for 1"
    )


def show_publishers(found: Checklist) -> None:
    """The index's publisher form, one row per package and index, and where the form is."""
    table(
        "1. Trusted publishers (on the index; a pending publisher while the project is not "
        "there yet)",
        [
            "index",
            "PyPI Project Name",
            "Owner",
            "Repository name",
            "Workflow name",
            "Environment name",
        ],
        [
            [
                p.index,
                p.project,
                p.owner or UNKNOWN,
                p.repository or UNKNOWN,
                p.workflow,
                p.environment or "(none)",
            ]
            for p in found.publishers
        ],
        header=True,
    )
    for p in found.publishers:
        if p.pending_url:
            line(
                f"  {p.index_title} {p.project}: new project {p.pending_url}, existing "
                f"project {p.project_url}"
            )


def show_github(found: Checklist) -> None:
    """The GitHub part: environments, required checks, labels."""
    where = f" ({found.settings_url}/environments)" if found.settings_url else ""
    table(
        f"2. GitHub environments{where}",
        ["environment", "protection", "deployment tags", "deployment branches"],
        [
            [
                e.name,
                "required reviewers (maintainers approve each release)"
                if e.reviewers
                else "none needed (dry runs)",
                ", ".join(e.tags) or "-",
                ", ".join(e.branches) or "-",
            ]
            for e in found.environments
        ],
        header=True,
    )
    where = f" ({found.settings_url}/rules)" if found.settings_url else ""
    table(
        f"3. Checks required on {found.branch} (a ruleset or branch protection){where}",
        ["check"],
        [[check] for check in found.checks],
    )
    where = (
        f" ({found.settings_url.removesuffix('/settings')}/labels)" if found.settings_url else ""
    )
    table(
        f"4. Release labels{where}",
        ["label", "colour", "description"],
        [[label.name, f"#{label.color}", label.description] for label in found.labels],
        header=True,
    )


def checklist_json(found: Checklist) -> dict[str, Any]:
    return asdict(found)


def checklist_of_init(
    plan: InitPlan,
    adoption: Adoption,
    config: Config,
    *,
    owner: str | None,
    repository: str | None,
    server_url: str,
) -> Checklist:
    """The checklist of what `init` wrote: its publishers (under the workflow names it chose),
    the checks as its jobs report them, the release branch and tag formats it adopted;
    `config` holds what the packages share (the labels, the repository)."""
    config = replace(
        config,
        github_owner=owner or config.github_owner,
        github_repository=repository or config.github_repository,
    )
    first = next(iter(adoption.formats), None)
    shared = adoption.config_of(first, config) if first is not None else config
    projects = dict.fromkeys(p.project for p in plan.publishers)
    releases = [
        PackageRelease(
            tuple(p for p in plan.publishers if p.project == project),
            tag_glob(adoption.config_of(project, config).tag_format),
        )
        for project in projects
    ]
    checks = tuple(dict.fromkeys(row.check for row in plan.checks))
    return checklist(shared, releases, checks, server_url=server_url)
