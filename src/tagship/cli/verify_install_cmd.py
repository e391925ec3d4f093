"""`tagship verify-install --index INDEX`: install the release in a clean venv and check it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.context import add_record_to, in_project, with_outbox
from tagship.cli.flow_render import one_step
from tagship.cli.json_fields import seq
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import (
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
    parser.add_argument("--index", required=True, help="index name from the config")
    parser.add_argument("--dir", type=Path, default=Path("dist"), help="the build directory")
    parser.add_argument(
        "--installer", choices=("auto", "uv", "pip"), default="auto", help="auto prefers uv"
    )
    parser.add_argument(
        "--record-dry-run",
        action="store_true",
        help="when every check passes, record the successful dry run (the TestPyPI workflow)",
    )
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.core.release_plan import RECORD, VERIFY_INSTALL  # noqa: PLC0415
    from tagship.steps.build.artifacts import check_manifest, load_manifest  # noqa: PLC0415
    from tagship.steps.publish.release_steps import (  # noqa: PLC0415
        install_release,
        installed_summary,
        record_dry_run,
        recorded_summary,
    )
    from tagship.steps.verify.install_report import (  # noqa: PLC0415
        imported_lines,
        install_failure,
    )

    workspace = with_outbox(ctx.workspace(), args.record_to)
    index = workspace.config.index(args.index)
    directory = in_project(workspace, args.dir)
    manifest = load_manifest(directory)
    check_manifest(directory, manifest)  # the wheel is read to check what got installed
    with progress_display(ctx.ci) as progress:  # the installer's run is the long part
        report = one_step(
            VERIFY_INSTALL,
            lambda: install_release(
                workspace,
                manifest,
                directory,
                index,
                runner=ctx.runner,
                installer=args.installer,
                progress=progress,
            ),
            installed_summary,
        )
    emit_json(
        {
            "project": manifest.project,
            "version": manifest.version,
            "index": report.index,
            "installer": report.installer,
            "checks": report.checks,
            "dry_run_seq": None,  # the dry run's ledger record, with --record-dry-run
        }
    )
    rows = [(c.name, "ok" if c.ok else "FAILED", c.detail) for c in report.checks]
    title = f"install {manifest.project}=={manifest.version} from {index.name} ({report.installer})"
    table(title, ("check", "result", "detail"), rows)
    names = imported_lines(report)
    for text in names:
        line(text)
    summary = markdown_table(("check", "result", "detail"), rows)
    step_summary(ctx, f"### {title}\n\n{summary}" + "".join(f"\n\n{t}" for t in names))
    if not report.ok:
        raise install_failure(
            report, manifest.version, "dry-run" if args.record_dry_run else "step"
        )
    if args.record_dry_run:
        done = one_step(
            RECORD, lambda: record_dry_run(workspace, manifest, index), recorded_summary
        )
        emit_json({"dry_run_seq": seq(done.record)})
        next_step(f"tagship tag: creates and pushes {manifest.tag}")
    elif args.record_to is not None:  # a job's outbox: the record job appends it
        next_step(f"tagship record --dir {args.record_to}: append it to the ledger")
    else:
        next_step(
            f"tagship verify-install --index {index.name} --record-dry-run, to record it as "
            "the dry run the tag needs; or tagship dry-run to do it all"
        )
    return 0
