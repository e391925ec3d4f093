"""`tagship rollback plan|revert|yank|cloud-run|migrate|patch`: the five rollback options,
each doing the automatable part, naming the manual part, and leaving a ledger record."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.context import in_project
from tagship.cli.json_fields import seq as ledger_seq
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format, add_wait_options
from tagship.cli.render import annotate, emit_json, line, progress_display
from tagship.core.errors import UsageError
from tagship.core.words import plural

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context

_RELEASE_HELP = "the bad release this mitigates, for the record (default: the project's version)"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    plan = sub.add_parser("plan", help="the ordered runbook of the five options for a release")
    plan.add_argument("version", metavar="VERSION")
    add_format(plan)
    revert = sub.add_parser("revert", help="revert merge commit(s) on the release branch")
    revert.add_argument("refs", nargs="+", metavar="REF")
    revert.add_argument("--push", action="store_true", help="push the branch so CI redeploys")
    revert.add_argument("--release", metavar="VERSION", help="the release being rolled back")
    add_format(revert)
    yank = sub.add_parser("yank", help="record a yank, name where to do it, watch it happen")
    yank.add_argument("version", metavar="VERSION")
    yank.add_argument("--reason", required=True, help="why (shown to pip users)")
    yank.add_argument("--index", default="pypi", help="the index (default: pypi)")
    add_wait_options(yank, timeout=900.0, interval=15.0)
    yank.add_argument("--no-wait", action="store_true", help="only record the intent")
    add_format(yank)
    cloud = sub.add_parser("cloud-run", help="move 100%% of Cloud Run traffic to a revision")
    cloud.add_argument("--service", required=True)
    cloud.add_argument("--region", required=True)
    cloud.add_argument("--project", help="Google Cloud project (default: $GOOGLE_CLOUD_PROJECT)")
    cloud.add_argument("--to-revision", required=True, metavar="REV")
    cloud.add_argument("--dry-run", action="store_true", help="show the change, change nothing")
    cloud.add_argument("--release", metavar="VERSION", help=_RELEASE_HELP)
    add_format(cloud)
    migrate = sub.add_parser("migrate", help="upgrade or downgrade the database with Alembic")
    migrate.add_argument("--revision", required=True, metavar="REV")
    migrate.add_argument("--config", type=Path, default=Path("alembic.ini"), metavar="INI")
    migrate.add_argument("--dry-run", action="store_true", help="show the move, change nothing")
    migrate.add_argument("--release", metavar="VERSION", help=_RELEASE_HELP)
    add_format(migrate)
    patch = sub.add_parser("patch", help="start the patch release: hotfix start on its tag")
    patch.add_argument("version", metavar="VERSION")
    add_format(patch)


WATCH = "tagship watch: checks the index keeps the releases as the ledger records them"


AGAIN = "the same command without --dry-run: makes the change"
LEDGER = "tagship ledger show: the rollbacks recorded so far"


def _plan(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.steps.rollback.plan import rollback_plan  # noqa: PLC0415

    plan = rollback_plan(ctx.workspace(), args.version)
    if args.format == "json":
        emit_json(plan)
        return 0
    state = "tagged" if plan.tagged else "not tagged here"
    line(f"rollback plan for {plan.project} {plan.version} ({plan.tag}, {state})")
    for index, files in sorted(plan.published.items()):
        line(f"published on {index}: {', '.join(files) or '(no files recorded)'}")
    for warning in plan.warnings:
        line(f"warning: {warning}")
        annotate(ctx.ci, "warning", warning, title="tagship rollback plan")
    for number, option in enumerate(plan.options, start=1):
        line(f"\n{number}. {option.title} [{option.status}]")
        for command in option.tagship:
            line(f"   tagship: {command}")
        for step in option.human:
            line(f"   you:     {step}")
        for item in option.evidence:
            line(f"   ledger:  {item}")
    next_step("run the tagship commands of the option you choose, in the order above")
    return 0


def _revert(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.steps.rollback.revert import revert  # noqa: PLC0415

    done = revert(ctx.workspace(), args.refs, push=args.push, version=args.release)
    emit_json(
        {
            "branch": done.branch,
            "reverted": done.reverted,
            "commit": done.commit,
            "pushed": done.pushed,
            "ledger_seq": ledger_seq(done.record),
        }
    )
    line(
        f"reverted {', '.join(s[:12] for s in done.reverted)} on {done.branch}: {done.commit[:12]}"
    )
    line(f"pushed {done.branch}: CI redeploys from it" if done.pushed else "not pushed (--push)")
    line(f"recorded: ledger #{done.record.seq}")
    pushed = f"tagship checks --wait --ref {done.branch}: until CI has redeployed it"
    next_step(pushed if done.pushed else f"git push origin {done.branch}: CI redeploys from it")
    return 0


def _yank(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.adapters.http import Http, policy_from_env  # noqa: PLC0415
    from tagship.core.versions import parse_version  # noqa: PLC0415
    from tagship.steps.publish.publishing import simple_index  # noqa: PLC0415
    from tagship.steps.rollback.yank import record_intent, wait_yanked  # noqa: PLC0415

    workspace = ctx.workspace()
    version = parse_version(args.version, where="the command line")
    index = workspace.config.index(args.index)
    with Http(policy_from_env(ctx.env)) as http:
        search = simple_index(workspace, index, http)
        intent = record_intent(workspace, index, search, version, args.reason)
        emit_json(
            {
                "index": index.name,
                "version": str(version),
                "url": intent.url,
                "files": intent.files,
                "intent_seq": ledger_seq(intent.record or intent.already),
                "yanked": intent.already is not None,
                "ledger_seq": None,  # the record of the yank seen on the index, once it is
            }
        )
        if intent.already is not None:
            line(f"already yanked on {index.name} (ledger #{intent.already.seq})")
            next_step(WATCH)
            return 0
        seq = f"ledger #{intent.record.seq}" if intent.record else "recorded earlier"
        line(f"intent to yank {workspace.name} {version} from {index.name}: {seq}")
        if intent.url is not None:
            line(f"{index.name} has no API for yanking: yank it here: {intent.url}")
            line(f'  (Options -> Yank, reason: "{args.reason}")')
        else:
            line(
                f"{index.name} offers no yank operation tagship can use: yank or remove the "
                "files by the index's own means"
            )
        if args.no_wait:
            next_step(
                f'yank it, then tagship rollback yank {version} --reason "{args.reason}" '
                f"--index {index.name}: records it once the index shows it"
            )
            return 0
        files = plural(len(intent.files), "file")
        line(f"waiting up to {args.timeout:.0f} s for {files} to show as yanked")
        with http.until(time.monotonic() + args.timeout), progress_display(ctx.ci) as progress:
            observed = wait_yanked(  # the retries end by the deadline too
                workspace,
                index,
                search,
                version,
                timeout=args.timeout,
                interval=args.interval,
                progress=progress,
            )
    emit_json({"yanked": True, "files": observed.files, "ledger_seq": ledger_seq(observed.record)})
    line(f"yanked: {', '.join(observed.files)}")
    line(f"recorded: ledger #{observed.record.seq}")
    next_step(WATCH)
    return 0


def _cloud_run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.adapters.cloud_run import CloudRunAdmin  # noqa: PLC0415 - optional, heavy
    from tagship.steps.rollback.cloud_run import move_traffic, split_text  # noqa: PLC0415

    project = (
        args.project or ctx.env.get("GOOGLE_CLOUD_PROJECT") or ctx.env.get("CLOUDSDK_CORE_PROJECT")
    )
    if not project:
        raise UsageError(
            "which Google Cloud project?", hint="pass --project or set GOOGLE_CLOUD_PROJECT"
        )
    workspace = ctx.workspace()
    move = move_traffic(
        workspace,
        CloudRunAdmin.connect(ctx.env),
        project=project,
        region=args.region,
        service=args.service,
        revision=args.to_revision,
        version=args.release,
        dry_run=args.dry_run,
    )
    emit_json(
        {
            "service": move.service,
            "revision": move.revision,
            "before": move.before,
            "after": move.after,
            "applied": move.applied,
            "unchanged": move.unchanged,
            "ledger_seq": ledger_seq(move.record),
        }
    )
    line(f"service {move.service}")
    line(f"  traffic now: {split_text(move.before)}")
    if move.unchanged:
        line(f"all traffic already goes to {move.revision}: nothing to do")
        next_step(LEDGER)
        return 0
    if not move.applied:
        line(f"  would be:    {split_text(move.after)}")
        line("dry run: nothing changed")
        next_step(AGAIN)
        return 0
    line(f"  traffic is:  {split_text(move.after)}")
    line(f"recorded: ledger #{move.record.seq if move.record else '?'}")
    next_step(LEDGER)
    return 0


def _migrate(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.adapters.alembic_db import AlembicDatabase  # noqa: PLC0415 - optional
    from tagship.steps.rollback.migrate import migrate  # noqa: PLC0415

    workspace = ctx.workspace()
    ini = in_project(workspace, args.config)
    result = migrate(
        workspace,
        AlembicDatabase(ini),
        revision=args.revision,
        config_path=ini,
        version=args.release,
        dry_run=args.dry_run,
    )
    move = result.migration
    emit_json(
        {
            "start": move.start,
            "target": move.target,
            "direction": move.direction,
            "reached": result.reached,
            "applied": result.applied,
            "ledger_seq": ledger_seq(result.record),
        }
    )
    start, target = move.start or "base", move.target or "base"
    if move.direction == "none":
        line(f"the database is already at {start}: nothing to do")
    elif not result.applied:
        line(f"would {move.direction} the database from {start} to {target} (dry run)")
    else:
        line(f"{move.direction}d the database from {start} to {result.reached or 'base'}")
        line(f"recorded: ledger #{result.record.seq if result.record else '?'}")
    next_step(AGAIN if move.direction != "none" and not result.applied else LEDGER)
    return 0


def _patch(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.cli.hotfix_cmd import show_started  # noqa: PLC0415
    from tagship.core.versions import parse_version, tag_for  # noqa: PLC0415
    from tagship.steps.rollback.hotfix import start_hotfix  # noqa: PLC0415

    workspace = ctx.workspace()
    version = parse_version(args.version, where="the command line")
    show_started(start_hotfix(ctx.workspace, tag_for(version, workspace.config.tag_format)), ctx)
    return 0


_ACTIONS = {
    "plan": _plan,
    "revert": _revert,
    "yank": _yank,
    "cloud-run": _cloud_run,
    "migrate": _migrate,
    "patch": _patch,
}


def run(args: argparse.Namespace, ctx: Context) -> int:
    emit_json({"action": args.action})
    return _ACTIONS[args.action](args, ctx)
