"""`tagship ledger show|verify`: the release ledger on refs/tagship/ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line, table
from tagship.core.ledger import record_dict
from tagship.core.names import normalized_name
from tagship.core.words import plural
from tagship.steps.ledger.ledger_check import ledger_state, require_valid

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context
    from tagship.core.ledger import Actor, Record
    from tagship.workspace import Workspace


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = sub.add_parser("show", help="list the records (exit 4 if the chain is broken)")
    add_format(show)
    verify = sub.add_parser(
        "verify", help="check the chain and every anchor; exit 4 at the first problem"
    )
    add_format(verify)


def _actor(actor: Actor) -> str:
    if actor.is_ci:
        return f"{actor.repository or '?'} {actor.workflow or '?'} run {actor.run_id or '?'}"
    return f"local {actor.user or '?'}@{actor.host or '?'}"


def _row(record: Record) -> tuple[str, ...]:
    event = record.event
    files = plural(len(event.files), "file") if event.files else ""
    return (
        str(record.seq),
        record.time[:19] + "Z",
        event.kind,
        event.version,
        event.tag or "",
        event.index or "",
        files,
        event.result,
        _actor(record.actor),
        record.hash[:12],
    )


def _package(ctx: Context) -> tuple[Workspace, str | None]:
    """A workspace of the repository, and the package whose records to show (None: all):
    the one chosen in a repository of several, or named with --package."""
    repository = ctx.repository()
    every = ctx.every_package(repository)
    if every is not None:
        return every[0], None
    workspace = ctx.workspace(repository)
    chosen = repository.several or ctx.package is not None
    return workspace, normalized_name(workspace.name) if chosen else None


def run(args: argparse.Namespace, ctx: Context) -> int:
    emit_json({"action": args.action})
    workspace, package = _package(ctx)
    git = workspace.require_git()
    state = ledger_state(git)
    if args.action == "verify":
        require_valid(state)
        anchors = [{"source": a.source, "head": a.head} for a in state.anchors]
        count = len(state.records)
        emit_json({"head": state.head, "count": count, "anchors": anchors, "note": state.note})
        head = state.head[:12] if state.head else "(empty)"
        line(
            f"ledger ok: {plural(len(state.records), 'record')}, head {head}, "
            f"{plural(len(state.anchors), 'anchor')} checked"
        )
        if state.note is not None:
            line(state.note)
        next_step("tagship audit: prove every file on the index came from a recorded release")
        return 0
    # one ledger for the repository; show lists one package's records when one is chosen
    records = [
        r for r in state.records if package is None or normalized_name(r.event.project) == package
    ]
    if args.format == "json":
        emit_json(
            {
                "head": state.head,
                "package": package,
                "records": [record_dict(r) for r in records],
                "anchors": [{"source": a.source, "head": a.head} for a in state.anchors],
                "problem": state.problem,
                "unpushed": state.unpushed,
            }
        )
    else:
        columns = ("seq", "time", "kind", "version", "tag", "index", "files", "result", "actor")
        table("release ledger", (*columns, "hash"), [_row(r) for r in records])
    require_valid(state)
    if state.note is not None and args.format == "text":
        line(state.note)
    next_step("tagship ledger verify: check the chain and its anchors")
    return 0
