"""`tagship init`: write the CI and publish workflows from the config, or check them."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from tagship.adapters.project_facts import gather_facts
from tagship.ci import adoption as hosts
from tagship.ci.github.policy import WORKFLOWS_DIR
from tagship.ci.github.workflows import workflows
from tagship.ci.github.workflows.build_matrix import wheel_builder
from tagship.ci.github.workflows.values import runs_expression
from tagship.cli import init_pipeline, init_publishers
from tagship.cli.init_infer import add_flags, adopt_project
from tagship.cli.init_install import install_plan
from tagship.cli.json_fields import init_plan
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line, note_line, table
from tagship.cli.setup_checklist import checklist_of_init, show_checklist
from tagship.core.config_values import is_project_name
from tagship.core.errors import UsageError
from tagship.steps.build.reproduce import known_unreproducible

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from tagship.cli.context import Context
    from tagship.workspace import Workspace

_GITHUB_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        choices=sorted(hosts.HOSTS),
        help="the CI host to write the pipeline for (default: from origin's URL and the "
        "pipeline files there)",
    )
    parser.add_argument("--owner", help="GitHub owner of the repository (default: from config)")
    parser.add_argument("--repo", help="GitHub repository name (default: from config)")
    parser.add_argument("--project", help="project name on the index (default: [project].name)")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 with a diff when files drifted"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace workflow files tagship did not write (each saved beside first)",
    )
    parser.add_argument(
        "--watch",
        action="store_true",
        help="also write tagship-watch.yml: `tagship watch` daily (kept current once written)",
    )
    add_flags(parser)
    init_publishers.configure(parser)
    add_format(parser)


def _inputs(args: argparse.Namespace, ctx: Context, workspace: Workspace) -> workflows.Inputs:
    """What init reads besides the config: the project, its tools and workflows, the lock."""
    project = workspace.pyproject_data.get("project", {})
    python = workflows.workflow_python(workspace.config, project.get("requires-python"))
    wheels = wheel_builder(workspace.root, workspace.pyproject_data)
    if wheels is not None and wheels.maturin:
        # maturin builds for each interpreter it finds; off Linux, those setup-python installs
        allowed = workflows.allowed_pythons(workspace.config, project.get("requires-python"))
        released = tuple(v for v in workflows.RELEASED_PYTHONS if v in allowed)
        wheels = replace(wheels, pythons=released or (python,))
    return workflows.Inputs(
        project=args.project or workspace.name,
        pyproject_text=workflows.read_exact(workspace.config.pyproject),  # CRLF stays CRLF
        install=install_plan(workspace, ctx, python, compiled=wheels is not None, check=args.check),
        python=python,
        scm_version=workspace.meta.source.kind == "scm",
        existing=workflows.existing_workflows(workspace.root),
        force=args.force,
        facts=gather_facts(workspace.root, workspace.pyproject_data, workspace.inherited),
        wheels=wheels,
        watch=args.watch,
    )


def _injected(drifted: list[workflows.Drift], root: Path) -> str:
    """What to add when a drifted workflow runs an expression: init would remove it."""
    carrying = [
        e.path
        for e in drifted
        if e.path.startswith(WORKFLOWS_DIR)
        and (root / e.path).is_file()
        and runs_expression(e.path, workflows.read_exact(root / e.path))
    ]
    if not carrying:
        return ""
    expression = "a GitHub expression (${{ ... }}) in a run: (template injection)"
    return f"; {', '.join(carrying)} runs {expression}"


def _show(plan: workflows.InitPlan, workspace: Workspace | None) -> None:
    table(
        "Required checks",
        ["check", "command", "from"],
        [[row.check, row.command, row.source] for row in plan.checks],
    )
    if workspace is None:
        return
    why = known_unreproducible(workspace.meta.backend, "sdist.tar.gz")
    if why and workspace.config.identical_rebuild_required:
        line(
            f"note: {why}: the release's rebuild will differ from the dry run and be refused; "
            "make the build reproducible, release the dry run's files (release-artifacts = "
            '"promote"), or set require-identical-rebuild = false'
        )


def _validate(args: argparse.Namespace) -> None:
    for flag, value in (("--owner", args.owner), ("--repo", args.repo)):
        if value is not None and not _GITHUB_NAME.fullmatch(value):
            raise UsageError(
                f"{flag} {value!r} is not a GitHub name", hint="e.g. --owner CharmAIOS"
            )
    if args.project is not None and not is_project_name(args.project):
        raise UsageError(
            f"--project {args.project!r} is not a project name the index accepts",
            hint="ASCII letters and digits, with . _ - between them (PEP 508): e.g. --project "
            "charmos",
        )
    if args.check and args.disable_old_publishers:
        raise UsageError(
            f"--check writes nothing, so it cannot take {init_publishers.FLAG}",
            hint=f"run `tagship init {init_publishers.FLAG}`, then `tagship init --check`",
        )


def run(args: argparse.Namespace, ctx: Context) -> int:
    _validate(args)
    repository = ctx.repository()
    workspace: Workspace | None = None
    if not repository.packages_apart:
        workspace = ctx.workspace(repository)
    here = workspace or ctx.policy_workspace(repository)
    choice = hosts.choose(args.host, here.origin_url, here.root, ctx.ci.host)
    line(f"host: {choice.host.name} ({choice.why})")
    if choice.host.pipeline is not None:
        return init_pipeline.run(args, ctx, choice, workspace)
    if workspace is None:
        from tagship.cli.init_several import several_packages_plan  # noqa: PLC0415

        plan, root, adoption = several_packages_plan(args, ctx, repository)
    else:
        adoption = adopt_project(args, workspace)
        config = adoption.config_of(workspace.name, workspace.config)
        inputs = _inputs(args, ctx, workspace)
        plan = workflows.plan(config, inputs, owner=args.owner, repository=args.repo)
        root = workspace.root
        plan = adoption.applied(plan, root)
    for reason in adoption.lines:
        line(reason)
    for note in plan.notes:
        note_line(note)
    edited = init_publishers.prepare(plan, root, disable=args.disable_old_publishers)
    if args.check:
        return init_pipeline.check_drift(plan, root, lambda drifted: _injected(drifted, root))
    changed = workflows.write(plan, root)
    emit_json(init_plan(plan, changed, None))
    for generated in plan.files:
        line(f"{'wrote' if generated.path in changed else 'unchanged'} {generated.path}")
    init_publishers.write(root, edited)
    _show(plan, workspace)
    shared = workspace.config if workspace is not None else ctx.policy_workspace(repository).config
    found = checklist_of_init(
        plan,
        adoption,
        shared,
        owner=args.owner,
        repository=args.repo,
        server_url=ctx.ci.server_url or "https://github.com",
    )
    show_checklist(found)
    next_step("commit the files, then tagship doctor" if changed else "tagship doctor")
    return 0
