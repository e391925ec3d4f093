"""`tagship demo [--keep] [--workdir DIR]`: the whole flow on the embedded default."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.flow_render import run_flow
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line
from tagship.cli.style import current
from tagship.flows.demo import run_demo

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context
    from tagship.flows.pipeline import Pipeline, StepReport


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workdir", type=Path, help="work here (kept afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    add_format(parser)


def _echo(step: StepReport) -> None:
    if current().quiet:  # each step as it ends is progress; the table is the result
        return
    line(f"    [{step.status}] {step.name}: {step.detail}")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if not current().quiet:  # what the demo is: guidance
        line(
            "tagship demo: the release policy end to end with local stand-ins: a bare git "
            "repository as origin, pypiserver as TestPyPI and PyPI (declared official = false, "
            "so they take uploads without Trusted Publishing), and the production release run "
            "with the environment of a GitHub Actions job on the tag"
        )
    base = args.workdir or Path(tempfile.mkdtemp(prefix="tagship-demo-"))
    base.mkdir(parents=True, exist_ok=True)

    def body(pipeline: Pipeline) -> None:
        run_demo(pipeline, base.resolve(), ctx.env, runner=ctx.runner, echo=_echo)

    try:
        code = run_flow(ctx, "demo", dry_run=False, body=body)
    finally:
        kept = args.workdir is not None or args.keep
        emit_json({"workdir": base if kept else None})
        if not kept:
            shutil.rmtree(base, ignore_errors=True)
        else:
            line(f"the demo's files are in {base}")
    next_step("tagship init in your project: the config and workflows, then tagship rehearse")
    return code
