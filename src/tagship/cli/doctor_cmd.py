"""`tagship doctor`: check the workflows and the Trusted Publishing setup as they are."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line
from tagship.core.errors import GateError
from tagship.steps.doctor import doctor

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    add_format(parser)


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
    if args.format == "json":
        emit_json(
            {
                "ok": report.ok,
                "findings": [asdict(f) for f in report.findings],
                "tools": [asdict(t) for t in report.tools],
            }
        )
    else:
        for finding in report.findings:
            line(f"{finding.path}:{finding.line}: {finding.rule}: {finding.message}")
            line(f"    fix: {finding.fix}")
        ran = ", ".join(t.name if t.ran else f"{t.name} skipped ({t.note})" for t in report.tools)
        line(f"{len(report.findings)} finding(s); checked by tagship policy rules, {ran}")
    if not report.ok:
        raise GateError(
            f"doctor found {len(report.findings)} problem(s)",
            hint="fix each finding listed above",
        )
    return 0
