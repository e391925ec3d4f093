"""`tagship rehearse [--bump SPEC | --version X.Y.Z] [--keep] [--format json]`: the release of
your own project in a throwaway copy, against local indexes, with what GitHub would do."""

from __future__ import annotations

import shutil
import sys
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
from tagship.flows.pipeline import FlowFailedError, Pipeline
from tagship.flows.rehearse import RehearseOptions, rehearse

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from tagship.cli.context import Context
    from tagship.flows.pipeline import FlowReport, StepReport
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


def _steps(report: FlowReport) -> list[dict[str, object]]:
    return [
        {"name": s.name, "status": s.status, "detail": s.detail, "seconds": round(s.seconds, 1)}
        for s in report.steps
    ]


def _as_json(done: Rehearsal | None, report: FlowReport, kept: Path | None) -> dict[str, object]:
    # the fields of every flow's document (flow, steps), then the rehearsal's own
    return {
        "ok": report.ok,
        "flow": report.flow,
        "steps": _steps(report),
        "rehearsal": done,
        "kept": kept,
    }


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.bump and args.version:
        raise UsageError(
            "--bump and --version both choose the version",
            hint="--bump for a version written in a file, --version for one from git tags",
        )
    options = RehearseOptions(ctx.package, args.bump, args.version, args.skip_checks)
    base = Path(tempfile.mkdtemp(prefix="tagship-rehearse-")).resolve()
    as_json = args.format == "json"
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
        if not as_json:
            line(
                "tagship rehearse: your release in a throwaway copy of the repository, with "
                "local indexes standing in for TestPyPI and PyPI; your repository is only read"
            )
            code = run_flow(ctx, "rehearse", dry_run=False, body=lambda p: body(p, _echo))
            _report(found[0])
            rehearsed = True
            return code
        pipeline = Pipeline("rehearse")
        try:
            body(pipeline, lambda _: None)
        except FlowFailedError as failed:
            emit_json(_as_json(None, failed.report, kept))  # the error: added as the run ends
            raise failed.cause from failed.cause.__cause__
        emit_json(_as_json(found[0], pipeline.report(), kept))
        return 0
    finally:
        if kept is None:
            shutil.rmtree(base, ignore_errors=True)
        else:
            (sys.stderr if as_json else sys.stdout).write(f"the rehearsal's files are in {base}\n")
        if rehearsed:
            next_step("tagship dry-run: the real test release, to TestPyPI")
