"""`tagship init` in a repository of several packages: every package's checks, one set of
workflows (ci/github/workflows/package_workflows.py)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.adapters.project_facts import gather_facts
from tagship.ci.github.workflows import workflows
from tagship.ci.github.workflows.build_matrix import wheel_builder
from tagship.ci.github.workflows.package_workflows import Member, several_plan
from tagship.cli.init_infer import adopt_packages
from tagship.cli.init_install import install_plan
from tagship.core.errors import UsageError
from tagship.core.infer_checks import plan_checks
from tagship.core.internal_deps import internal_dependencies, project_dependencies, reachable
from tagship.repository import open_package
from tagship.steps.tagship_lock import jobs_python

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context
    from tagship.cli.init_infer import Adoption
    from tagship.repository import Repository
    from tagship.workspace import Workspace


def _with_local(members: list[Member], workspaces: list[Workspace]) -> list[Member]:
    """Each member with the directories of the others it depends on, directly or through
    another (its checks install them all from the repository)."""
    declared = {
        m.name: project_dependencies(w.pyproject_data)
        for m, w in zip(members, workspaces, strict=True)
    }
    where = {m.name: w.root for m, w in zip(members, workspaces, strict=True)}
    direct: dict[str, list[str]] = {}
    for dependency in internal_dependencies(declared):
        direct.setdefault(dependency.dependent, []).append(dependency.dependency)
    found = []
    for member in members:
        needed = reachable(member.name, direct)
        paths = [Path(os.path.relpath(where[n], where[member.name])).as_posix() for n in needed]
        found.append(replace(member, local=tuple(paths)))
    return found


def several_packages_plan(
    args: argparse.Namespace, ctx: Context, repository: Repository
) -> tuple[workflows.InitPlan, Path, Adoption]:
    """What init writes for every package of `repository`, the directory it writes in, and
    the release branch and tag formats it chose."""
    packages = repository.packages
    assert packages is not None  # noqa: S101 - only called for a repository of several
    if args.project:
        raise UsageError(
            "--project names the index project of a repository of one package",
            hint="each package is published as its own [project].name",
        )
    workspaces = []
    for package in packages.members:
        workspace = open_package(
            repository, package.name, env=ctx.env, overrides=ctx.overrides, runner=ctx.runner
        )
        if wheel_builder(workspace.root, workspace.pyproject_data) is not None:
            raise UsageError(
                f"{package.name} builds platform wheels: init writes the build matrix of a "
                "compiled project for a repository of one package only",
                hint="write its build jobs by hand (docs/compiled.md)",
            )
        workspaces.append(workspace)
    pairs = list(zip(packages.members, workspaces, strict=True))
    adoption = adopt_packages(args, pairs, packages.root, several=packages.several)
    members = []
    for package, workspace in pairs:
        config = adoption.config_of(package.name, workspace.config)
        facts = gather_facts(workspace.root, workspace.pyproject_data, workspace.inherited)
        plans = tuple(plan_checks(config, facts))
        scm = workspace.meta.source.kind == "scm"
        members.append(Member(package.name, package.relative, config, plans, scm))
    members = _with_local(members, workspaces)
    python = jobs_python(workspaces)
    install = install_plan(
        workspaces[0], ctx, python, compiled=False, top=packages.root, check=args.check
    )
    plan = several_plan(
        members,
        install,
        python,
        existing=workflows.existing_workflows(packages.root),
        force=args.force,
        owner=args.owner,
        repository=args.repo,
        watch=args.watch,
    )
    return adoption.applied(plan, packages.root), packages.root, adoption
