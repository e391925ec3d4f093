"""`tagship publish --to INDEX [--dir DIR]`: upload the manifest's files, resumably."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.render import is_ci, line, markdown_table, step_summary, table

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", required=True, metavar="INDEX", help="index name from the config")
    parser.add_argument("--dir", type=Path, default=Path("dist"), help="the build directory")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.adapters.http import Http, policy_from_env  # noqa: PLC0415 - httpx is slow to import
    from tagship.flows.publishing import (  # noqa: PLC0415
        attestations_for,
        simple_index,
        upload_credentials,
    )
    from tagship.flows.record import record  # noqa: PLC0415
    from tagship.steps.artifacts import load_manifest  # noqa: PLC0415
    from tagship.steps.publish import publish, require_ci_for_official  # noqa: PLC0415

    workspace = ctx.workspace()
    index = workspace.config.index(args.to)
    require_ci_for_official(index, ctx.env)  # before asking anyone for a token
    directory = args.dir if args.dir.is_absolute() else workspace.root / args.dir
    manifest = load_manifest(directory)

    def mask(secret: str) -> None:
        if is_ci(ctx.env):
            line(f"::add-mask::{secret}")

    with Http(policy_from_env(ctx.env)) as http:
        auth = upload_credentials(workspace, index, http, mask)
        attestations = attestations_for(workspace, index, manifest, directory)
        result = publish(
            manifest,
            directory,
            index,
            env=ctx.env,
            http=http,
            lookup=simple_index(workspace, index, http),
            auth=auth,
            attestations=attestations,
            on_file=lambda outcome: line(f"{outcome.action}: {outcome.name}"),
        )
    if workspace.git is not None:
        actions = {f.name: f.action for f in result.files}
        record(workspace, "publish", manifest, index=index.name, details=actions)
    rows = [(f.name, f.action, f.sha256) for f in result.files]
    columns = ("file", "result", "sha256")
    table(f"published {result.project} {result.version} to {result.index}", columns, rows)
    step_summary(ctx.env, f"### Published to {result.index}\n\n" + markdown_table(columns, rows))
    return 0
