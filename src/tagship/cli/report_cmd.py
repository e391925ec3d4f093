"""`tagship report`: the releases as one HTML page (and Markdown for the CI job's summary):
each version on the test index, the production index and the GitHub Release, from the
ledger, with the drift `tagship watch` found."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from tagship.cli.context import in_project
from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line, step_summary, table
from tagship.core.drift import Drift
from tagship.core.names import normalized_name
from tagship.core.words import plural
from tagship.steps.ledger.ledger_check import ledger_state, require_valid
from tagship.steps.report.html_page import render_html
from tagship.steps.report.markdown import render_markdown
from tagship.steps.report.output import write_page
from tagship.steps.report.timeline import build_report

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context
    from tagship.repository import Repository
    from tagship.steps.report.timeline import Report

DEFAULT_OUTPUT = "tagship-report.html"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(DEFAULT_OUTPUT),
        metavar="FILE",
        help=f"where the page goes (default {DEFAULT_OUTPUT}); only a page tagship wrote "
        "is replaced",
    )
    parser.add_argument(
        "--watch",
        action="store_true",
        help="also ask the indexes and GitHub now, as `tagship watch` does, and draw the "
        "drift it finds beside each release",
    )
    add_format(parser, markdown=True)


def as_dict(report: Report, output: Path) -> dict[str, object]:
    return {
        "output": str(output),
        "head": report.head,
        "columns": [c.key for c in report.columns],
        "versions": [
            {
                "project": row.project,
                "version": row.version,
                "tag": row.tag,
                "tagged": row.tagged,
                "cells": {
                    c.key: {
                        "status": cell.status,
                        "tone": cell.tone,
                        "time": cell.time,
                        "drift": list(cell.drift),
                    }
                    for c, cell in zip(report.columns, row.cells, strict=True)
                },
                "marks": [
                    {"label": m.label, "tone": m.tone, "detail": m.detail} for m in row.marks
                ],
            }
            for row in report.rows
        ],
        "drift": [
            {"project": d.project, "version": d.version, "where": d.where, "message": d.message}
            for d in report.drift
        ],
    }


def _drift(ctx: Context, repository: Repository) -> tuple[Drift, ...]:
    """What `tagship watch` finds now, for the chosen package or every package."""
    from tagship.steps.ledger.watch import watch_workspace  # noqa: PLC0415 - pulls in httpx

    workspaces = ctx.every_package(repository) or (ctx.workspace(repository),)
    found = []
    for workspace in workspaces:
        watched = watch_workspace(workspace)
        found += [Drift(watched.project, f.version, f.where, f.detail) for f in watched.findings]
    return tuple(found)


def run(args: argparse.Namespace, ctx: Context) -> int:
    repository = ctx.repository()
    # one ledger for the repository: every package's releases, or the one --package names
    workspace = ctx.policy_workspace(repository)
    state = require_valid(ledger_state(workspace.require_git()))
    chosen = None if ctx.package is None else normalized_name(workspace.name)
    records = [r for r in state.records if chosen in (None, normalized_name(r.event.project))]
    report = build_report(records, _drift(ctx, repository) if args.watch else ())
    output = in_project(workspace, args.output)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    write_page(output, render_html(report, generated))
    markdown = render_markdown(report)
    step_summary(ctx, markdown)
    if args.format == "json":
        emit_json(as_dict(report, output))
    elif args.format == "markdown":
        line(markdown.rstrip())
    else:
        titles = tuple(c.title for c in report.columns)
        rows = [
            (
                f"{row.project} {row.version}" if report.several else row.version,
                *(cell.status for cell in row.cells),
                str(len(row.marks)),
            )
            for row in report.rows
        ]
        table("releases", ("version", *titles, "marks"), rows)
        line(f"wrote {output}: {plural(len(report.rows), 'version')}")
        next_step(f"open {output} in a browser")
    return 0
