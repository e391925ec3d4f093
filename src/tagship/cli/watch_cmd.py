"""`tagship watch`: the recorded releases against what the indexes and GitHub show now (one
shot, for cron or a scheduled workflow); exit 1 on any drift, one line per finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, error_line, line, markdown_table, note_line, step_summary
from tagship.core.errors import EXIT_GATE
from tagship.core.words import plural
from tagship.steps.report.markdown import markdown_cell

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context
    from tagship.core.watch import WatchReport

COLUMNS = ("where", "version", "finding", "detail")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index",
        action="append",
        metavar="INDEX",
        help="watch only this configured index, dry runs included (repeatable; default: "
        "every index the ledger records a release on)",
    )
    add_format(parser)


def _summary(report: WatchReport) -> str:
    versions = {(r.index, r.version) for r in report.releases}
    checked = f"{plural(len(versions), 'release')} on the indexes"
    if report.hosted:
        checked += f", {plural(len(report.hosted), 'GitHub Release')}"
    verdict = "no drift" if report.ok else plural(len(report.findings), "finding")
    return f"watch of {report.project}: {checked}; {verdict}"


def as_dict(report: WatchReport) -> dict[str, object]:
    return {
        "project": report.project,
        "releases": [
            {"index": r.index, "version": r.version, "files": sorted(r.files)}
            for r in report.releases
        ],
        "github_releases": list(report.hosted),
        "findings": [
            {"kind": f.kind, "where": f.where, "version": f.version, "detail": f.detail}
            for f in report.findings
        ],
        "notes": list(report.notes),
    }


def as_markdown(report: WatchReport) -> str:
    # the index's words: no link, image or HTML in a summary GitHub renders
    rows = [
        tuple(markdown_cell(t) for t in (f.where, f.version or "", f.kind, f.detail))
        for f in report.findings
    ]
    title = f"### tagship watch: {'no drift' if report.ok else 'DRIFT'}\n\n{_summary(report)}\n\n"
    return title + (markdown_table(COLUMNS, rows) if rows else "")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.steps.ledger.watch import watch_workspace  # noqa: PLC0415 - pulls in httpx

    repository = ctx.repository()
    # a repository of several packages with none chosen: each package is watched
    every = ctx.every_package(repository)
    workspaces = every or (ctx.workspace(repository),)
    reports = [watch_workspace(workspace, args.index) for workspace in workspaces]
    for report in reports:
        step_summary(ctx, as_markdown(report))
        for note in report.notes:
            note_line(note)
        for finding in report.findings:
            line(f"drift: {finding.line()}")
        line(_summary(report))
    if every is not None:
        emit_json({"packages": [as_dict(report) for report in reports]})
    else:
        emit_json(as_dict(reports[0]))
    found = sum(len(report.findings) for report in reports)
    if found == 0:
        next_step("nothing to do; run it again on a schedule (tagship init --watch)")
        return 0
    error_line(
        f"watch found {plural(found, 'drift')} from the ledger's releases",
        "each drift line says what changed; a yank the ledger should know is recorded with "
        "`tagship rollback yank`, anything else needs a look on the index or GitHub",
    )
    return EXIT_GATE
