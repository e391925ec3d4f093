"""`tagship verify-install --index INDEX`: install the release in a clean venv and check it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.render import line, markdown_table, step_summary, table
from tagship.core.errors import GateError

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
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


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.core.config import credentials  # noqa: PLC0415
    from tagship.flows.record import record  # noqa: PLC0415
    from tagship.steps.artifacts import check_manifest, load_manifest  # noqa: PLC0415
    from tagship.steps.verify_install import InstallTarget, verify_install  # noqa: PLC0415

    workspace = ctx.workspace()
    config = workspace.config
    index = config.index(args.index)
    directory = args.dir if args.dir.is_absolute() else workspace.root / args.dir
    manifest = load_manifest(directory)
    check_manifest(directory, manifest)  # the wheel is read to check what got installed
    target = InstallTarget(
        index.name, index.simple_url, credentials(index.name, ctx.env), config.dependency_index
    )
    report = verify_install(
        manifest,
        directory,
        target,
        runner=ctx.runner,
        env=ctx.env,
        smoke_command=config.smoke_command,
        installer=args.installer,
    )
    if workspace.git is not None:
        outcome = {"result": "ok" if report.ok else "failed"}
        record(workspace, "verify-install", manifest, index=index.name, details=outcome)
    rows = [(c.name, "ok" if c.ok else "FAILED", c.detail) for c in report.checks]
    title = f"install {manifest.project}=={manifest.version} from {index.name} ({report.installer})"
    table(title, ("check", "result", "detail"), rows)
    step_summary(ctx.env, f"### {title}\n\n" + markdown_table(("check", "result", "detail"), rows))
    if not report.ok:
        failed = next(c for c in report.checks if not c.ok)
        raise GateError(
            f"verify-install failed at {failed.name}: {failed.detail}",
            hint="see the table above",
        )
    if args.record_dry_run:
        saved = record(workspace, "dry-run", manifest, index=index.name)
        line(f"recorded the dry run of {manifest.version} at {manifest.commit[:12]}: {saved.seq}")
    return 0
