"""`tagship publish --index INDEX [--dir DIR]`: upload the manifest's files, resumably."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.artifacts_render import show_problems
from tagship.cli.context import add_record_to, in_project, with_outbox
from tagship.cli.flow_render import masker, one_step
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import (
    annotate,
    emit_json,
    line,
    markdown_table,
    progress_display,
    step_summary,
    table,
)

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    add_record_to(parser)
    parser.add_argument(
        "--index", "--to", dest="index", required=True, metavar="INDEX", help="index name"
    )
    parser.add_argument("--dir", type=Path, default=Path("dist"), help="the build directory")
    add_format(parser)


def _warn(text: str) -> None:
    sys.stderr.write(f"tagship: warning: {text}\n")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.adapters.http import Http, policy_from_env  # noqa: PLC0415 - httpx is slow to import
    from tagship.core.release_plan import publish_name  # noqa: PLC0415
    from tagship.steps.build.artifacts import load_manifest  # noqa: PLC0415
    from tagship.steps.publish.release_steps import (  # noqa: PLC0415
        publish_files,
        published_summary,
        require_publishable,
    )
    from tagship.steps.verify.verify import VerificationError  # noqa: PLC0415

    workspace = with_outbox(ctx.workspace(), args.record_to)
    index = workspace.config.index(args.index)
    require_publishable(workspace, index)  # before reading anything
    directory = in_project(workspace, args.dir)
    manifest = load_manifest(directory)
    try:
        with Http(policy_from_env(ctx.env)) as http, progress_display(ctx.ci) as progress:
            result = one_step(
                publish_name(index.name),
                lambda: publish_files(
                    workspace,
                    manifest,
                    directory,
                    index,
                    http=http,
                    mask=masker(ctx),
                    on_file=lambda outcome: line(f"{outcome.action}: {outcome.name}"),
                    progress=progress,
                    on_warning=_warn,
                ),
                published_summary,
            )
    except VerificationError as error:  # every problem, as verify-artifacts lists them
        show_problems(error)
        raise
    emit_json(result)
    rows = [(f.name, f.action, f.sha256) for f in result.files]
    columns = ("file", "result", "sha256")
    table(f"published {result.project} {result.version} to {result.index}", columns, rows)
    step_summary(ctx, f"### Published to {result.index}\n\n" + markdown_table(columns, rows))
    if result.ledger == "no-repository":
        warning = (
            f"nothing was recorded in the ledger: {workspace.root} is not inside a git "
            "repository, so no audit will find this publish"
        )
        sys.stderr.write(f"tagship: warning: {warning}\n")
        annotate(ctx.ci, "warning", warning, title="tagship publish")
    next_step(f"tagship wait --index {result.index}: until the index shows every file")
    return 0
