"""`tagship doctor`: check the workflows and the Trusted Publishing setup as they are.

Release-critical findings fail it; advice about the project's other workflows is summarised
per file and fails it only with `--strict`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import annotate, emit_json, line
from tagship.cli.style import verdict
from tagship.core.errors import GateError
from tagship.core.words import plural
from tagship.steps.doctor import doctor

if TYPE_CHECKING:
    import argparse

    from tagship.ci.github.policy import Finding
    from tagship.cli.context import Context
    from tagship.steps.doctor import DoctorReport


def configure(parser: argparse.ArgumentParser) -> None:
    add_format(parser)
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail on advice about the project's other workflows too, not only on what stands "
        "in the release's way",
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    repository = ctx.repository()
    packages = repository.packages
    if packages is not None and repository.packages_apart:
        # one set of workflows at the repository's root serves every package (or the one
        # --package names)
        every = ctx.every_package(repository) or (ctx.workspace(repository),)
        report = doctor(every[0], ctx.runner, packages=every, top=packages.root)
    else:
        report = doctor(ctx.workspace(repository), ctx.runner)
    failing = report.findings + (report.advice if args.strict else ())
    if args.format == "json":
        _json(report, ok=not failing, strict=args.strict)
    else:
        _text(report, strict=args.strict)
    for finding in failing:  # in CI, on the line of the workflow file
        annotate(
            ctx.ci,
            "error",
            f"{finding.message} (fix: {finding.fix})",
            title=f"tagship doctor: {finding.rule}",
            file=finding.path,
            line=finding.line or None,  # 0: the file as a whole
        )
    if failing:
        pieces = plural(len(report.advice), "piece of advice", "pieces of advice")
        advice = f" and {pieces} (--strict)" if args.strict else ""
        raise GateError(
            f"doctor found {plural(len(report.findings), 'problem')}{advice}",
            hint="fix each finding listed above",
        )
    if args.format == "text":
        next_step("tagship dry-run: the first test release")
    return 0


def _json(report: DoctorReport, *, ok: bool, strict: bool) -> None:
    emit_json(
        {
            "ok": ok,
            "strict": strict,
            "findings": [asdict(f) for f in report.findings],
            "advice": [asdict(f) for f in report.advice],
            "advice_per_file": {
                a.path: {"count": a.count, "rules": dict(a.rules)} for a in report.advice_per_file()
            },
            "old_publishers": [
                {**asdict(p), "armed": p.armed, "races": p.races} for p in report.old_publishers
            ],
            "tools": [asdict(t) for t in report.tools],
        }
    )


def _text(report: DoctorReport, *, strict: bool) -> None:
    for finding in report.findings:
        _finding(finding)
    for publisher in report.old_publishers:
        if publisher.races and publisher.disabled:
            line(f"old publisher kept off: {publisher.describe()}")
    summary = report.advice_per_file()
    if summary:
        line(
            f"advice about the project's other workflows: {plural(len(report.advice), 'finding')} "
            f"in {plural(len(summary), 'file')}, "
            + ("failing with --strict:" if strict else "not blocking (--strict fails on them):")
        )
        for advice in summary:
            rules = ", ".join(f"{rule} {count}" for rule, count in advice.rules)
            line(f"  {advice.path}: {advice.count} ({rules})")
        for finding in report.advice if strict else ():
            _finding(finding)
    skipped = verdict("skipped")
    ran = ", ".join(t.name if t.ran else f"{t.name} {skipped} ({t.note})" for t in report.tools)
    line(
        f"{plural(len(report.findings), 'release-critical finding')}, {len(report.advice)} advice; "
        f"checked by tagship policy rules, {ran}"
    )


def _finding(finding: Finding) -> None:
    line(f"{finding.path}:{finding.line}: {finding.rule}: {finding.message}")
    line(f"    fix: {finding.fix}")
