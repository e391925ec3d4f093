"""`tagship check-docs`: the long description renders on PyPI; the docs files exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.cli.next_step import next_step
from tagship.cli.options import add_format
from tagship.cli.render import emit_json, line
from tagship.core.errors import GateError

if TYPE_CHECKING:
    import argparse

    from tagship.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    add_format(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from tagship.steps.verify.docs_check import check_docs  # noqa: PLC0415 - readme_renderer is slow

    del args  # --format: the one writer reads it
    report = check_docs(ctx.workspace())
    emit_json(report)
    for checked in report.checked:
        line(f"ok\t{checked}")
    if report.problems:
        for problem in report.problems[1:]:
            line(f"FAIL\t{problem}")
        raise GateError(report.problems[0], hint="fix the readme or [tool.tagship] docs-files")
    next_step("tagship dry-run: the test release")
    return 0
