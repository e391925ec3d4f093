"""`tagship init` on a host whose pipeline the adoption registry writes (ci/adoption.py):
tagship's pipeline file, the include in the project's own, the lock, and the checklist."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from tagship.ci.github.workflows import workflows
from tagship.ci.github.workflows.build_matrix import wheel_builder
from tagship.cli.init_infer import adopt_project
from tagship.cli.init_install import install_plan
from tagship.cli.json_fields import init_plan
from tagship.cli.next_step import next_step
from tagship.cli.render import emit_json, line, note_line, table
from tagship.core.errors import GateError, UsageError
from tagship.core.words import plural
from tagship.steps.pipeline_files import pipeline_inputs
from tagship.steps.tagship_lock import jobs_python

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from pathlib import Path

    from tagship.ci.adoption import HostChoice
    from tagship.ci.github.workflows.workflows import Drift, InitPlan
    from tagship.ci.pipeline_values import HostChecklist
    from tagship.cli.context import Context
    from tagship.workspace import Workspace

# what only GitHub's workflows take
_GITHUB_ONLY = ("owner", "repo", "watch", "disable_old_publishers", "force")


def run(
    args: argparse.Namespace, ctx: Context, choice: HostChoice, workspace: Workspace | None
) -> int:
    """Write (or with --check compare) the host's pipeline files for `workspace` (None: a
    repository of several packages, which this path does not take)."""
    pipeline = choice.host.pipeline
    assert pipeline is not None  # noqa: S101 - the caller dispatches only such hosts
    given = [f"--{name.replace('_', '-')}" for name in _GITHUB_ONLY if getattr(args, name, None)]
    if given:
        raise UsageError(
            f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} for GitHub's workflows, "
            f"not {choice.host.name}",
            hint=f"run `tagship init --host {choice.host.name}` without " + ", ".join(given),
        )
    if workspace is None:
        raise UsageError(
            f"init for {choice.host.name} takes a repository of one package",
            hint="run `tagship init` on GitHub, or release each package from its own project",
        )
    if wheel_builder(workspace.root, workspace.pyproject_data) is not None:
        raise UsageError(
            f"init for {choice.host.name} does not build platform wheels yet: "
            f"{workspace.name} is a compiled project",
            hint="release it from GitHub (`tagship init --host github`), whose workflows build "
            "the wheels on each platform",
        )
    adoption = adopt_project(args, workspace)
    config = adoption.config_of(args.project or workspace.name, workspace.config)
    install = install_plan(
        workspace,
        ctx,
        jobs_python([workspace]),
        compiled=False,
        check=args.check,
        lock_file=pipeline.lock_file,
    )
    inputs = pipeline_inputs(workspace, pipeline.top_file, project=args.project, lock=install.lock)
    plan = adoption.applied(pipeline.plan(config, inputs), workspace.root)
    for reason in adoption.lines:
        line(reason)
    for note in (*plan.notes, *([install.warning] if install.warning else [])):
        note_line(note)
    root = workspace.root
    if args.check:
        return check_drift(plan, root)
    changed = workflows.write(plan, root)
    checklist = pipeline.checklist(config, inputs.project, workspace.origin_url)
    emit_json({**init_plan(plan, changed, None), "checklist": _json(checklist)})
    for generated in plan.files:
        line(f"{'wrote' if generated.path in changed else 'unchanged'} {generated.path}")
    table(
        "Required checks",
        ["check", "command", "from"],
        [[row.check, row.command, row.source] for row in plan.checks],
    )
    line("")
    line("What remains outside the repository:")
    for part in checklist.tables:
        table(part.title, list(part.columns), [list(row) for row in part.rows], header=True)
    for text in checklist.lines:
        line(text)
    next_step("commit the files, then tagship doctor" if changed else "tagship doctor")
    return 0


def _json(checklist: HostChecklist) -> list[dict[str, object]]:
    return [
        {"title": t.title, "rows": [dict(zip(t.columns, row, strict=True)) for row in t.rows]}
        for t in checklist.tables
    ]


def check_drift(
    plan: InitPlan, root: Path, why: Callable[[list[Drift]], str] = lambda _: ""
) -> int:
    """`init --check`: exit 1 naming the files that differ from what init writes (and `why`
    of them, a host's own explanation), each diff on stdout."""
    drifted = workflows.drift(plan, root)
    emit_json(init_plan(plan, None, [entry.path for entry in drifted]))
    for entry in drifted:
        sys.stdout.write(entry.diff)
    if drifted:
        differ = plural(len(drifted), "file differs", "files differ")
        raise GateError(
            f"{differ} from what `tagship init` writes: "
            + ", ".join(entry.path for entry in drifted)
            + why(drifted),
            hint="run `tagship init` and commit the result",
        )
    line(f"{plural(len(plan.files), 'file matches', 'files match')} the config")
    next_step("tagship doctor")
    return 0
