"""`tagship rehearse [--bump SPEC | --version X.Y.Z] [--keep] [--format json]`: the release of
your own project in a throwaway copy, against local indexes, with what GitHub would do."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.dry_run_cmd import add_version_option
from tagship.cli.flow_render import run_flow
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line
from tagship.core.errors import UsageError
from tagship.core.words import plural
from tagship.flows.rehearse import RehearseOptions, rehearse

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from tagship.cli.context import Context
    from tagship.flows.pipeline import Pipeline, StepReport
    from tagship.flows.rehearse import Rehearsal


_NOTES_SHOWN = 20  # lines of the draft notes a terminal shows


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bump",
        metavar="PART|X.Y.Z",
        help="bump the version in the copy first (major, minor, patch, X.Y.Z); default: when "
        "HEAD's version is tagged already, the one the release labels call for",
    )
    add_version_option(parser)
    parser.add_argument(
        "--skip-checks",
        action="store_true",
        help="do not run the required checks here (the real release still needs them green)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the copy, the indexes and the build, and say where",
    )
    add_format(parser)


def _echo(step: StepReport) -> None:
    line(f"    [{step.status}] {step.name}: {step.detail}")


def _report(done: Rehearsal) -> None:
    line(f"rehearsed {done.project} {done.version} as {done.tag} from {done.head[:12]}")
    if done.checks_skipped:
        line("  not rehearsed: the required checks (--skip-checks); the real release needs them")
    if done.uncommitted:
        changes = plural(len(done.uncommitted), "uncommitted change")
        line(f"  not rehearsed: {changes}; commit them first")
    line("files released (sha256):")
    for file in done.files:
        line(f"  {file.name}  {file.sha256}")
    line("on GitHub, the real release would:")
    for step in done.github:
        line(f"  - {step}")
    notes = done.notes.splitlines()
    line("the draft Release's notes:")
    for text in notes[:_NOTES_SHOWN]:
        line(f"  | {text}")
    if len(notes) > _NOTES_SHOWN:
        more = plural(len(notes) - _NOTES_SHOWN, "more line")
        line(f"  | ... {more} (--format json has them all)")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.bump and args.version:
        raise UsageError(
            "--bump and --version both choose the version",
            hint="--bump for a version written in a file, --version for one from git tags",
        )
    options = RehearseOptions(ctx.package, args.bump, args.version, args.skip_checks)
    base = Path(tempfile.mkdtemp(prefix="tagship-rehearse-")).resolve()
    found: list[Rehearsal] = []

    def body(pipeline: Pipeline, echo: Callable[[StepReport], None]) -> None:
        found.append(
            rehearse(
                pipeline,
                ctx.project_dir,
                base,
                ctx.env,
                options=options,
                runner=ctx.runner,
                echo=echo,
            )
        )

    kept = base if args.keep else None
    rehearsed = False  # the next step ends the report, after the kept files' line
    try:
        line(
            "tagship rehearse: your release in a throwaway copy of the repository, with "
            "local indexes standing in for TestPyPI and PyPI; your repository is only read"
        )
        # the flow's table and its document's `flow` and `steps`, as every flow's
        code = run_flow(ctx, "rehearse", dry_run=False, body=lambda p: body(p, _echo))
        _report(found[0])
        rehearsed = True
        return code
    finally:
        emit_json({"rehearsal": found[0] if found else None, "kept": kept})
        if kept is None:
            shutil.rmtree(base, ignore_errors=True)
        else:
            line(f"the rehearsal's files are in {base}")  # stderr under --format json
        if rehearsed:
            next_step("tagship dry-run: the real test release, to TestPyPI")
