"""`tagship wait --index INDEX [--timeout S]`: until the index shows every manifest file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.render import line

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", required=True, help="index name from the config")
    parser.add_argument("--dir", type=Path, default=Path("dist"), help="the build directory")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds (default 600)")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.adapters.http import Http, policy_from_env  # noqa: PLC0415 - httpx is slow to import
    from tagship.flows.publishing import simple_index  # noqa: PLC0415
    from tagship.flows.record import record  # noqa: PLC0415
    from tagship.steps.artifacts import load_manifest  # noqa: PLC0415
    from tagship.steps.wait import wait_visible  # noqa: PLC0415

    workspace = ctx.workspace()
    index = workspace.config.index(args.index)
    directory = args.dir if args.dir.is_absolute() else workspace.root / args.dir
    manifest = load_manifest(directory)
    with Http(policy_from_env(ctx.env)) as http:
        lookup = simple_index(workspace, index, http)
        result = wait_visible(manifest, lookup, index.name, timeout=args.timeout)
    if workspace.git is not None:
        record(workspace, "wait", manifest, index=index.name, details={"polls": str(result.polls)})
    line(
        f"{index.name} shows all {len(manifest.files)} files of {manifest.project} "
        f"{manifest.version} with the manifest's hashes ({result.polls} polls, "
        f"{result.seconds:.1f} s)"
    )
    return 0
