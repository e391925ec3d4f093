"""`tagship publish --index INDEX [--dir DIR]`: upload the manifest's files, resumably."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.context import in_project
from tagship.cli.flow_render import masker, one_step
from tagship.cli.render import line, markdown_table, step_summary, table

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index", "--to", dest="index", required=True, metavar="INDEX", help="index name"
    )
    parser.add_argument("--dir", type=Path, default=Path("dist"), help="the build directory")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.adapters.http import Http, policy_from_env  # noqa: PLC0415 - httpx is slow to import
    from tagship.core.release_plan import publish_name  # noqa: PLC0415
    from tagship.steps.artifacts import load_manifest  # noqa: PLC0415
    from tagship.steps.publish import require_ci_for_official  # noqa: PLC0415
    from tagship.steps.release_steps import publish_files, published_summary  # noqa: PLC0415

    workspace = ctx.workspace()
    index = workspace.config.index(args.index)
    require_ci_for_official(index, ctx.env)  # before reading anything
    directory = in_project(workspace, args.dir)
    manifest = load_manifest(directory)
    with Http(policy_from_env(ctx.env)) as http:
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
            ),
            published_summary,
        )
    rows = [(f.name, f.action, f.sha256) for f in result.files]
    columns = ("file", "result", "sha256")
    table(f"published {result.project} {result.version} to {result.index}", columns, rows)
    step_summary(ctx.env, f"### Published to {result.index}\n\n" + markdown_table(columns, rows))
    return 0
