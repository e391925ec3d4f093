"""`tagship checks`: the required checks of a commit, on GitHub or run here (`--local`)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from tagship.ci.clients import host_client
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format, add_wait_options
from tagship.cli.render import (
    emit_json,
    line,
    markdown_table,
    progress_display,
    step_summary,
    table,
)
from tagship.cli.style import current
from tagship.core.errors import GateError
from tagship.core.infer_checks import github_check_names
from tagship.core.words import plural

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context
    from tagship.steps.gates.checks import ChecksReport

PERMISSION = "checks: read and statuses: read"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ref", help="branch, tag or sha (default: the release branch)")
    parser.add_argument("--wait", action="store_true", help="poll until every check settled")
    add_wait_options(parser, timeout=1800.0, interval=15.0)
    parser.add_argument(
        "--local", action="store_true", help="run the configured check commands here instead"
    )
    add_format(parser)


def _poll(report: ChecksReport) -> None:
    if current().quiet:  # a poll line is progress, not the result
        return
    counts: dict[str, int] = {}
    for result in report.results:
        counts[result.state.value] = counts.get(result.state.value, 0) + 1
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    sys.stderr.write(f"checks of {report.sha[:12]}: {summary}\n")
    sys.stderr.flush()


def _collect(args: argparse.Namespace, ctx: Context) -> ChecksReport:
    """The required checks, run here (--local) or as GitHub reports them (--wait: settled)."""
    from tagship.steps.gates import checks  # noqa: PLC0415 - only when the command runs

    workspace = ctx.workspace()
    required = workspace.config.required_checks
    if args.local:
        with progress_display(ctx.ci) as show:
            return checks.local_checks(
                workspace,
                ctx.runner,
                on_start=lambda i, n, name, command: show(f"[{i}/{n}] {name}: {command}"),
                on_done=lambda i, n, result, seconds: show(
                    f"[{i}/{n}] {result.name}: {result.state.value} ({seconds:.1f} s)"
                ),
            )
    client = host_client(ctx.ci, workspace.config, command="checks", permission=PERMISSION)
    ref = args.ref or workspace.config.release_branch
    required = tuple(github_check_names(required, workspace.package_of_several))
    if args.wait:
        return checks.wait_for_checks(
            client, ref, required, timeout=args.timeout, interval=args.interval, on_poll=_poll
        )
    return checks.github_checks(client, ref, required)


def run(args: argparse.Namespace, ctx: Context) -> int:
    report = _collect(args, ctx)
    rows = [(r.name, r.state.value, r.detail, r.url) for r in report.results]
    if args.format == "json":
        emit_json(
            {
                "ref": report.ref,
                "sha": report.sha,
                "where": report.where,
                "passed": report.passed,
                "checks": [
                    dict(zip(("name", "state", "detail", "url"), r, strict=True)) for r in rows
                ],
            }
        )
    else:
        table(
            f"required checks of {report.ref} ({report.sha[:12]})",
            ("check", "state", "detail", "url"),
            rows,
        )
    step_summary(
        ctx,
        "### Required checks\n\n"
        + markdown_table(("check", "state", "detail"), [r[:3] for r in rows]),
    )
    if report.passed:
        if args.format == "text":
            checks = plural(len(report.results), "required check")
            line(f"all {checks} passed for {report.sha[:12]}")
            next_step("tagship tag: checks every release gate, then creates and pushes the tag")
        return 0
    failing = ", ".join(f"{r.name} {r.state.value}" for r in report.not_passed())
    raise GateError(
        f"required checks not passed for {report.ref} ({report.sha[:12]}): {failing}",
        hint="fix or re-run them, or wait for them (tagship checks --wait)",
    )
