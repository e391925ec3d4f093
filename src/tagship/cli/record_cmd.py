"""`tagship record DIR`: append to the ledger what earlier jobs left in their outboxes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.context import in_project
from tagship.cli.flow_render import one_step

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dir", type=Path, metavar="DIR", help="the directory of the outboxes (*.jsonl)"
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.core.release_plan import RECORD  # noqa: PLC0415
    from tagship.steps.publish.release_steps import append_outbox, appended_summary  # noqa: PLC0415

    workspace = ctx.workspace()
    folder = in_project(workspace, args.dir)
    one_step(RECORD, lambda: append_outbox(workspace, folder), appended_summary)
    return 0
