"""`tagship audit`: every file on the index against the ledger, the tags and the branches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, error_line, line, markdown_table, step_summary, table
from tagship.core.errors import EXIT_INTEGRITY
from tagship.core.words import plural

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context
    from tagship.core.audit import AuditReport, VersionReport


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", default="pypi", help="the configured index to audit")
    add_format(parser, markdown=True)


def _status(version: VersionReport) -> str:
    if version.ok:
        return "ok"
    return ", ".join(sorted({f.kind for f in version.findings}))


def _details(version: VersionReport) -> str:
    parts = [f"{f.filename}: {f.detail}" if f.filename else f.detail for f in version.findings]
    return "; ".join(parts + list(version.notes))


def _summary(report: AuditReport) -> str:
    bad = sum(not v.ok for v in report.versions)
    files = sum(len(v.files) for v in report.versions)
    summary = (
        f"audit of {report.project} on {report.index}: "
        f"{plural(len(report.versions), 'version')}, {plural(files, 'file')}, {bad} with findings"
    )
    return "; ".join((summary, *report.notes))


def as_markdown(report: AuditReport) -> str:
    rows = [
        (v.version, "ok" if v.ok else f"**{_status(v)}**", _details(v).replace("|", "\\|"))
        for v in report.versions
    ]
    title = f"### tagship audit: {'ok' if report.ok else 'FINDINGS'}\n\n{_summary(report)}\n\n"
    return title + markdown_table(("version", "status", "details"), rows)


def as_dict(report: AuditReport) -> dict[str, object]:
    return {
        "project": report.project,
        "index": report.index,
        "ok": report.ok,
        "ledger_problem": report.ledger_problem,
        "notes": list(report.notes),
        "versions": [
            {
                "version": v.version,
                "status": _status(v),
                "files": list(v.files),
                "findings": [
                    {"kind": f.kind, "file": f.filename, "detail": f.detail} for f in v.findings
                ],
                "notes": list(v.notes),
            }
            for v in report.versions
        ],
    }


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.steps.ledger.audit import audit_workspace  # noqa: PLC0415 - pulls in httpx

    repository = ctx.repository()
    # a repository of several packages with none chosen: each package's own audit
    every = ctx.every_package(repository)
    workspaces = every or (ctx.workspace(repository),)
    reports = [audit_workspace(workspace, args.index) for workspace in workspaces]
    if every is not None and args.format == "json":  # one document
        for report in reports:
            step_summary(ctx, as_markdown(report))
        emit_json({"packages": [as_dict(report) for report in reports]})
    else:
        for report in reports:
            _show(args, ctx, report)
    bad = sum(not v.ok for report in reports for v in report.versions)
    if bad == 0:
        if args.format == "text":
            next_step(f"nothing to fix: every file on {args.index} came from a release")
        return 0
    versions = sum(len(report.versions) for report in reports)
    error_line(
        f"audit found problems in {bad} of {plural(versions, 'version')} on {args.index}",
        "each listed file needs a publish record for this index, made by a CI run its host "
        "(GitHub, GitLab) confirms, of a release tag on a release branch",
    )
    return EXIT_INTEGRITY


def _show(args: argparse.Namespace, ctx: Context, report: AuditReport) -> None:
    markdown = as_markdown(report)
    step_summary(ctx, markdown)
    if args.format == "json":
        emit_json(as_dict(report))
    elif args.format == "markdown":
        line(markdown.rstrip())
    else:
        rows = [(v.version, _status(v), _details(v)) for v in report.versions]
        table(_summary(report), ("version", "status", "details"), rows)
