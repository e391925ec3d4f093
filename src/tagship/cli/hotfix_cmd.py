"""`tagship hotfix start TAG | finish`: a patch branch from a release, and its way back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.ci.clients import host_client
from tagship.cli.json_fields import hotfix_finished, hotfix_started
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line
from tagship.core.errors import GateError, UsageError

if TYPE_CHECKING:
    import argparse

    from tagship.ci.api import HostClient
    from tagship.cli.context import Context
    from tagship.steps.rollback.hotfix import HotfixStarted
    from tagship.workspace import Workspace


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    start = sub.add_parser("start", help="branch hotfix/X.Y.Z+1 from a release tag, bump, record")
    start.add_argument("tag", metavar="TAG", help="the release tag to fix, e.g. v1.2.3")
    add_format(start)
    finish = sub.add_parser(
        "finish", help="check the fix is on main and the notes name the fixed release"
    )
    finish.add_argument("--branch", help="the hotfix branch (default: the current branch)")
    finish.add_argument(
        "--notes", type=Path, metavar="FILE", help="check these release notes instead"
    )
    add_format(finish)


def show_started(started: HotfixStarted, ctx: Context) -> None:
    """What `hotfix start` (or `rollback patch`) did."""
    emit_json(hotfix_started(started))
    line(f"created {started.branch} from {started.fixes}")
    if started.bump_commit is not None:
        line(f"bumped to {started.version}: {started.bump_commit[:12]}")
    else:
        line(f"the version comes from git tags: {started.tag} will release {started.version}")
    line(f"recorded: ledger #{started.record.seq} hotfix of {started.fixes}")
    if started.newer is not None:
        from tagship.ci.host_names import project_host_title  # noqa: PLC0415

        workspace = ctx.workspace()  # on the new branch
        host = project_host_title(ctx.ci, workspace.origin_url, workspace.root)
        line(
            f"note: {started.newer} is a newer release line, so {started.tag} will not be "
            f"marked latest on {host}"
        )
    next_step(
        "apply the smallest safe fix, push the branch, run the required checks and the "
        f"TestPyPI dry run, tag {started.tag}, then run tagship hotfix finish",
    )


def _github(ctx: Context, workspace: Workspace) -> HostClient | None:
    config = workspace.config
    # the project: the run's (GitLab's CI_PROJECT_PATH, GitHub's repository), else the config
    named = ctx.ci.repository or (config.github_owner and config.github_repository)
    if ctx.ci.token is None or not named:
        return None  # offline: tag message or CHANGELOG
    return host_client(ctx.ci, config, command="hotfix finish", permission="contents: read")


def run(args: argparse.Namespace, ctx: Context) -> int:
    emit_json({"action": args.action})
    if args.action == "start":
        from tagship.steps.rollback.hotfix import start_hotfix  # noqa: PLC0415

        show_started(start_hotfix(ctx.workspace, args.tag), ctx)
        return 0
    from tagship.steps.rollback.hotfix_finish import finish_hotfix  # noqa: PLC0415

    notes = None
    if args.notes is not None:
        try:
            notes = args.notes.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {args.notes}: {exc.strerror}") from None
    workspace = ctx.workspace()
    result = finish_hotfix(
        workspace, branch=args.branch, notes=notes, github=_github(ctx, workspace)
    )
    emit_json(hotfix_finished(result))
    line(f"hotfix {result.branch}: {result.tag} fixes {result.fixes}")
    for finding in result.findings:
        line(f"  [{'ok' if finding.ok else 'FAIL'}] {finding.name}: {finding.detail}")
    if result.record is not None:
        line(f"recorded: ledger #{result.record.seq} hotfix finished")
        next_step(f"follow the release of the fix: tagship wait-workflow --tag {result.tag}")
        return 0
    failed = [f.name for f in result.findings if not f.ok]
    raise GateError(
        f"hotfix {result.branch} is not finished: {', '.join(failed)}",
        hint=f"cherry-pick or merge the fix into main, and name {result.fixes} in the notes",
    )
