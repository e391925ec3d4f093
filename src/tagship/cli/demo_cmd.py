"""`tagship demo`: the release flow on a sample project, with local stand-ins only.

So far it shows what exists: status, the tag/version gate and bump. Build, publish,
ledger and the rest of the flow join as they land.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.render import line, table
from tagship.core.errors import GateError
from tagship.core.versions import check_tag
from tagship.flows.sample import create_sample
from tagship.steps.bump import bump_version
from tagship.steps.status import project_status
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workdir", type=Path, help="create the sample here (kept afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return _demo(args.workdir, ctx)
    base = Path(tempfile.mkdtemp(prefix="tagship-demo-"))
    try:
        return _demo(base, ctx)
    finally:
        if args.keep:
            line(f"kept the demo in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


def _demo(base: Path, ctx: Context) -> int:
    line(
        "tagship demo: only the foundation exists yet (status, tag gate, bump); "
        "build, publish, ledger and GitHub steps are not implemented"
    )
    sample = create_sample(base, runner=ctx.runner)
    line(f"sample project {sample.work} with origin {sample.origin}")
    workspace = open_workspace(sample.work, env=ctx.env, runner=ctx.runner)
    status = project_status(workspace)
    table(
        "status",
        ("", "value"),
        [("version", status.version), ("expected tag", status.expected_tag)],
    )
    wrong = "v9.9.9"
    try:
        check_tag(wrong, workspace.version(), workspace.config.tag_format)
    except GateError as refused:
        line(f"the tag gate refuses {wrong}: {refused.message}")
    bumped = bump_version(workspace, "minor", commit=True, dry_run=False)
    tag = workspace.expected_tag()
    check_tag(tag, workspace.version(), workspace.config.tag_format)
    line(f"bumped {bumped.old} -> {bumped.new} and committed; {tag} passes the tag gate")
    return 0
