"""`tagship record DIR`: append to the ledger what earlier jobs left in their outboxes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.context import in_project
from tagship.cli.flow_render import one_step
from tagship.cli.json_fields import seq
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dir", type=Path, metavar="DIR", help="the directory of the outboxes (*.jsonl)"
    )
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.core.release_plan import RECORD  # noqa: PLC0415
    from tagship.steps.publish.release_steps import append_outbox, appended_summary  # noqa: PLC0415

    workspace = ctx.workspace()
    folder = in_project(workspace, args.dir)
    done = one_step(RECORD, lambda: append_outbox(workspace, folder), appended_summary)
    emit_json({"events": [{"status": a.status, "ledger_seq": seq(a.record)} for a in done]})
    next_step("tagship ledger verify: check the chain the records extend")
    return 0
