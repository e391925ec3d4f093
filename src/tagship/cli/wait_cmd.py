"""`tagship wait --index INDEX [--timeout S]`: until the index shows every manifest file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.context import add_record_to, in_project, with_outbox
from tagship.cli.flow_render import one_step
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format, add_wait_options
from tagship.cli.render import emit_json, line, progress_display
from tagship.core.words import plural

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    add_record_to(parser)
    parser.add_argument("--index", required=True, help="index name from the config")
    parser.add_argument("--dir", type=Path, default=Path("dist"), help="the build directory")
    add_wait_options(
        parser,
        timeout=600.0,
        interval=1.0,  # steps/publish/wait.py's FIRST_DELAY, not imported: it is slow to load
        interval_help="the first pause between polls, doubled after each up to 15 s",
    )
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.adapters.http import Http, policy_from_env  # noqa: PLC0415 - httpx is slow to import
    from tagship.core.release_plan import WAIT  # noqa: PLC0415
    from tagship.steps.build.artifacts import load_manifest  # noqa: PLC0415
    from tagship.steps.publish.release_steps import wait_for_files, waited_summary  # noqa: PLC0415

    workspace = with_outbox(ctx.workspace(), args.record_to)
    index = workspace.config.index(args.index)
    manifest = load_manifest(in_project(workspace, args.dir))
    with Http(policy_from_env(ctx.env)) as http, progress_display(ctx.ci) as progress:
        result = one_step(
            WAIT,
            lambda: wait_for_files(
                workspace,
                manifest,
                index,
                http=http,
                timeout=args.timeout,
                interval=args.interval,
                option="--timeout",
                progress=progress,
            ),
            waited_summary,
        )
    files = [f.name for f in manifest.files]
    emit_json({"project": manifest.project, "version": manifest.version, "files": files})
    emit_json(result)  # index, polls, seconds
    line(
        f"{index.name} shows all {plural(len(manifest.files), 'file')} of {manifest.project} "
        f"{manifest.version} with the manifest's hashes ({plural(result.polls, 'poll')}, "
        f"{result.seconds:.1f} s)"
    )
    next_step(f"tagship verify-install --index {index.name}: install it in a clean venv")
    return 0
