"""`tagship wait-workflow`: wait for the publish workflow run of a tag (step 7)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.ci.clients import host_client
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format, add_wait_options
from tagship.cli.render import emit_json, line, progress_display
from tagship.core.errors import GateError, UsageError

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tag", help="the release tag (default: from GITHUB_REF)")
    parser.add_argument(
        "--workflow", metavar="FILE", help="workflow file (default: the pypi index's workflow)"
    )
    add_wait_options(parser, timeout=3600.0, interval=15.0)
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.steps.notes.github_release import wait_for_workflow  # noqa: PLC0415

    tag = args.tag or ctx.ci.tag
    if tag is None:
        raise UsageError("no --tag given and GITHUB_REF is not a tag ref", hint="pass --tag")
    workspace = ctx.workspace()
    workflow = args.workflow or workspace.config.index("pypi").workflow
    if not workflow:
        raise UsageError("no workflow to wait for", hint="pass --workflow publish-pypi.yml")
    client = host_client(
        ctx.ci, workspace.config, command="wait-workflow", permission="actions: read"
    )
    with progress_display(ctx.ci) as progress:
        found = wait_for_workflow(
            client, tag, workflow, timeout=args.timeout, interval=args.interval, progress=progress
        )
    emit_json(
        {"tag": tag, "workflow": workflow, "conclusion": found.conclusion, "url": found.html_url}
    )
    if found.conclusion != "success":
        raise GateError(
            f"{workflow} for {tag} concluded {found.conclusion}: {found.html_url}",
            hint="read the run's log; fix and release a new version",
        )
    line(f"{workflow} for {tag} succeeded: {found.html_url}")
    next_step("tagship watch: checks the recorded releases stay on the index as released")
    return 0
